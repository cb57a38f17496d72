"""AgentShield: security gateway and SDK for AI agents."""

__version__ = "0.1.0"
