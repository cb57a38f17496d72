"""Process configuration: environment (`AGENTSHIELD_`, `__` nesting) over an optional YAML file.

The YAML file is named by `AGENTSHIELD_CONFIG`. Environment variables win over the file, so
an operator can override one value of a shared config without editing it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, PositiveFloat, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./agentshield.db"


class ConfigError(Exception):
    """A configuration that cannot run; raised at start, never mid-request."""


class ProviderSettings(BaseModel):
    """One upstream: an OpenAI-compatible endpoint, or the built-in `mock`."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    type: Literal["openai", "mock"] = "openai"
    base_url: str | None = None
    api_key_env: str | None = None
    models: list[str] = Field(min_length=1)
    connect_timeout: PositiveFloat = 5.0
    timeout: PositiveFloat = 120.0
    max_connections: int = Field(default=256, ge=1)

    @model_validator(mode="after")
    def _needs_base_url(self) -> ProviderSettings:
        if self.type == "openai" and not self.base_url:
            raise ValueError(f"provider {self.name!r}: base_url is required for type 'openai'")
        return self

    def api_key(self) -> str | None:
        if not self.api_key_env:
            return None
        value = os.environ.get(self.api_key_env)
        if value is None:
            raise ConfigError(
                f"provider {self.name!r}: environment variable {self.api_key_env} is not set"
            )
        return value


class UsageSettings(BaseModel):
    """How `requests` rows and audit entries leave the response path."""

    # A flush runs on the event loop's thread (store/group_commit.py), holding every call
    # meanwhile: benchmarks/budget_overhead.py gave a p99 of 21-25 ms with 100 against
    # 45 ms with 500 (budgets off), for the same throughput.
    batch_size: int = Field(default=100, ge=1)
    flush_interval: PositiveFloat = 0.5
    queue_limit: int = Field(default=100_000, ge=1)


class BudgetSettings(BaseModel):
    """The `budget` guard's reservations and its cache of who has limits."""

    # A call still holding after this has its hold returned by its own process.
    reservation_ttl: PositiveFloat = 900.0
    # A process that renewed its lease (every sweep) longer ago than this is taken for dead:
    # any process returns what its calls held.
    lease_ttl: PositiveFloat = 300.0
    sweep_interval: PositiveFloat = 60.0
    # How long a replica may take to see a quota or wallet set through another replica
    # (the one that set it sees it at once); 0 reads the limits on every call.
    limits_cache_ttl: float = Field(default=5.0, ge=0)

    @model_validator(mode="after")
    def _lease_outlives_sweeps(self) -> BudgetSettings:
        if self.lease_ttl <= 2 * self.sweep_interval:
            raise ValueError(
                f"budget.lease_ttl ({self.lease_ttl} s) must be more than twice "
                f"budget.sweep_interval ({self.sweep_interval} s): each sweep renews the lease"
            )
        return self


class RateLimitLevel(BaseModel):
    """Limits per minute at one level (key, user or tenant); None: unlimited."""

    requests_per_minute: int | None = Field(default=None, ge=1, le=10**9)
    tokens_per_minute: int | None = Field(default=None, ge=1, le=10**9)


class RateLimitSettings(BaseModel):
    """Defaults for every tenant; a tenant's settings `rate_limits` overrides them."""

    key: RateLimitLevel = Field(default_factory=RateLimitLevel)
    user: RateLimitLevel = Field(default_factory=RateLimitLevel)
    tenant: RateLimitLevel = Field(default_factory=RateLimitLevel)


class StripeSettings(BaseModel):
    """Wallet top-ups through Stripe Checkout. The secrets are read from the environment
    variables named here, at start (a missing one stops the process), never from a file."""

    api_key_env: str = Field(default="STRIPE_API_KEY", min_length=1)
    webhook_secret_env: str = Field(default="STRIPE_WEBHOOK_SECRET", min_length=1)
    # Where Stripe sends the payer after paying or giving up.
    success_url: str = Field(min_length=1)
    cancel_url: str = Field(min_length=1)
    # Charged in this currency; the wallet is credited the same amount in USD, so keep it
    # "usd" unless 1 unit of another currency with cents is meant to buy $1.00.
    currency: str = Field(default="usd", pattern=r"^[a-z]{3}$")
    # Another address for Stripe's API (a test double or stripe-mock); None: Stripe's own.
    api_base: str | None = None

    def api_key(self) -> str:
        return _required_env(self.api_key_env, "stripe.api_key_env")

    def webhook_secret(self) -> str:
        return _required_env(self.webhook_secret_env, "stripe.webhook_secret_env")


def _required_env(name: str, setting: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"{setting}: environment variable {name} is not set")
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AGENTSHIELD_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    redis_key_prefix: str = "agentshield:"
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    workers: int = Field(default=1, ge=1)
    log_level: str = "info"

    providers: list[ProviderSettings] = Field(default_factory=list)
    # alias -> real model name, e.g. {"fast": "gpt-4o-mini"}
    model_aliases: dict[str, str] = Field(default_factory=dict)
    # Guards that run after authentication, in order; a tenant's settings may override.
    # `budget` reserves and settles only the calls of callers with a quota or wallet.
    # `anomaly` (spend anomalies, docs/anomalies.md) is opt-in; list it before
    # `ratelimit` or after, its THROTTLE halves the user's limits either way.
    guards: list[str] = Field(
        default_factory=lambda: ["ratelimit", "pii", "budget", "cost", "audit"]
    )
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    # When the shared counters (Redis) cannot be reached: False refuses calls (503), so
    # no limit is exceeded unseen; True lets them through unlimited until Redis is back.
    rate_limit_fail_open: bool = False
    signup_enabled: bool = False
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    key_cache_ttl: PositiveFloat = 30.0
    usage: UsageSettings = Field(default_factory=UsageSettings)
    # A served model (or alias) that writes PII regexes from a description; None: off.
    pii_generator_model: str | None = None
    # Stripe Checkout top-ups; None: off, and the /v1/billing/stripe routes answer 404.
    stripe: StripeSettings | None = None

    @field_validator("providers")
    @classmethod
    def _unique_provider_names(cls, value: list[ProviderSettings]) -> list[ProviderSettings]:
        names = [p.name for p in value]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"duplicate provider names: {sorted(dupes)}")
        return value

    @model_validator(mode="after")
    def _aliases_resolve(self) -> Settings:
        served = {m for p in self.providers for m in p.models}
        for alias, target in self.model_aliases.items():
            if target not in served:
                raise ValueError(
                    f"model alias {alias!r} points at {target!r}, which no provider serves"
                )
        generator = self.pii_generator_model
        if generator is not None and generator not in served | set(self.model_aliases):
            raise ValueError(f"pii_generator_model {generator!r} is served by no provider")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _YamlSource(settings_cls))


class _YamlSource(PydanticBaseSettingsSource):
    """Reads the file named by AGENTSHIELD_CONFIG, if any."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = os.environ.get("AGENTSHIELD_CONFIG")
        if not path:
            return {}
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"AGENTSHIELD_CONFIG={path}: no such file")
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or "cannot parse"
            raise ConfigError(f"AGENTSHIELD_CONFIG={path}: invalid YAML{where}: {problem}") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"AGENTSHIELD_CONFIG={path}: the top level must be a mapping")
        return data


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning any validation problem into one ConfigError line."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"invalid configuration at {where}: {first['msg']}") from exc
