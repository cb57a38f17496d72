"""Provider types registered by name, and the Router from a requested model to its client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agentshield.gateway.errors import ModelNotFound
from agentshield.gateway.upstream.base import UpstreamClient
from agentshield.gateway.upstream.mock import MockClient
from agentshield.gateway.upstream.openai import OpenAIClient
from agentshield.settings import ConfigError, ProviderSettings, Settings

PROVIDER_TYPES: dict[str, Callable[[ProviderSettings], UpstreamClient]] = {
    "openai": OpenAIClient,
    "mock": MockClient,
}


@dataclass(frozen=True, slots=True)
class Target:
    model: str  # the real model name, aliases resolved
    client: UpstreamClient

    @property
    def provider(self) -> str:
        return self.client.provider


class Router:
    """Built once at start; refuses a configuration it could not serve (fail closed)."""

    def __init__(self, settings: Settings) -> None:
        self.clients: dict[str, UpstreamClient] = {}
        self._targets: dict[str, Target] = {}
        for provider in settings.providers:
            factory = PROVIDER_TYPES.get(provider.type)
            if factory is None:
                raise ConfigError(f"provider {provider.name!r}: unknown type {provider.type!r}")
            client = self.clients[provider.name] = factory(provider)
            for model in provider.models:
                if model in self._targets:
                    raise ConfigError(
                        f"model {model!r} is served by both {self._targets[model].provider!r} "
                        f"and {provider.name!r}"
                    )
                self._targets[model] = Target(model, client)
        for alias, model in settings.model_aliases.items():
            if alias in self._targets and self._targets[alias].model == alias:
                raise ConfigError(f"model alias {alias!r} hides a model of the same name")
            self._targets[alias] = self._targets[model]

    def resolve(self, requested: str) -> Target:
        target = self._targets.get(requested)
        if target is None:
            raise ModelNotFound(requested)
        return target

    def model_names(self) -> list[str]:
        """Every name a caller may ask for: served models, then aliases."""
        return list(self._targets)

    async def close(self) -> None:
        for client in self.clients.values():
            await client.close()
