"""Configuration: YAML file under environment variables, one clear error for a bad config."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentshield.settings import ConfigError, load_settings

QUICKSTART = Path(__file__).resolve().parents[1] / "examples" / "quickstart.yaml"


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "agentshield.yaml"
    monkeypatch.setenv("AGENTSHIELD_CONFIG", str(path))
    return path


def test_quickstart_config_is_offline_and_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTSHIELD_CONFIG", str(QUICKSTART))
    settings = load_settings()
    assert [p.type for p in settings.providers] == ["mock"]
    assert settings.database_url.startswith("sqlite")


def test_environment_overrides_the_file_with_nesting(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text(
        "port: 9000\nusage: {batch_size: 10, flush_interval: 2}\n"
        "providers: [{name: m, type: mock, models: [a]}]\n"
    )
    monkeypatch.setenv("AGENTSHIELD_PORT", "9100")
    monkeypatch.setenv("AGENTSHIELD_USAGE__BATCH_SIZE", "77")
    settings = load_settings()
    assert settings.port == 9100
    assert settings.usage.batch_size == 77
    assert settings.usage.flush_interval == 2


def test_provider_key_comes_from_the_named_variable(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text(
        "providers: [{name: up, base_url: 'http://127.0.0.1:1/v1',"
        " api_key_env: UP_KEY, models: [gpt-4o]}]\n"
    )
    provider = load_settings().providers[0]
    with pytest.raises(ConfigError, match="UP_KEY is not set"):
        provider.api_key()
    monkeypatch.setenv("UP_KEY", "sk-test")
    assert provider.api_key() == "sk-test"


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("porrt: 1\n", "porrt"),
        ("providers: [{name: x, type: openai, models: [a]}]\n", "base_url is required"),
        ("providers: [{name: x, type: mock, models: []}]\n", "providers.0.models"),
        (
            "providers: [{name: x, type: mock, models: [a]}, {name: x, type: mock, models: [b]}]\n",
            "duplicate provider names",
        ),
        (
            "providers: [{name: x, type: mock, models: [a]}]\nmodel_aliases: {fast: b}\n",
            "no provider serves",
        ),
        ("budget: {lease_ttl: 100, sweep_interval: 60}\n", "more than twice"),
        ("- just\n- a list\n", "must be a mapping"),
        ("port: [unclosed\n", "invalid YAML"),
    ],
)
def test_bad_config_is_one_clear_error(config_file: Path, yaml_text: str, message: str) -> None:
    config_file.write_text(yaml_text)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings()
    assert "\n" not in str(info.value)


def test_missing_config_file_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AGENTSHIELD_CONFIG", str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigError, match="no such file"):
        load_settings()
