"""Servers for end-to-end tests: a local OpenAI-speaking upstream and the gateway itself."""

from support.gateway import GatewayStartError, RunningGateway, run_gateway
from support.tenants import Tenant, make_client, new_tenant
from support.upstream import UpstreamServer

__all__ = [
    "GatewayStartError",
    "RunningGateway",
    "Tenant",
    "UpstreamServer",
    "make_client",
    "new_tenant",
    "run_gateway",
]
