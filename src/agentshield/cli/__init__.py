"""The `agentshield` command line. Nothing imports it; it may import everything."""
