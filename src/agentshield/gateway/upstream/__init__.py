"""Upstream model providers behind one client interface, and the router to them."""

from agentshield.gateway.upstream.base import UpstreamClient
from agentshield.gateway.upstream.router import PROVIDER_TYPES, Router, Target

__all__ = ["PROVIDER_TYPES", "Router", "Target", "UpstreamClient"]
