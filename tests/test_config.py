"""Tests of the settings: source precedence, API keys, nested variables, URLs and config files."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm4retail.config import Settings, clear_settings_cache, get_settings
from llm4retail.errors import ConfigError

pytestmark = pytest.mark.unit

KEY_1 = "first-key-0123456789"
KEY_2 = "second-key-0123456789"


@pytest.fixture
def clean_environment() -> Path:
    """The empty working directory every test starts in (see tests/conftest.py)."""
    return Path.cwd()


def _toml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- precedence -------------------------------------------------------------------------------------


def test_default_data_dir() -> None:
    assert get_settings().data_dir == Path("llm4retail-data")


def test_config_file_beats_default(tmp_path: Path) -> None:
    config = _toml(tmp_path / "c.toml", f'data_dir = "{tmp_path / "from-file"}"\nimport_chunk_rows = 7\n')

    settings = get_settings(config_file=config)

    assert settings.data_dir == tmp_path / "from-file"
    assert settings.import_chunk_rows == 7


def test_config_file_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = _toml(tmp_path / "c.toml", f'data_dir = "{tmp_path / "from-env-file"}"\n')
    monkeypatch.setenv("LLM4RETAIL_CONFIG", str(config))

    assert get_settings().data_dir == tmp_path / "from-env-file"


def test_config_argument_beats_config_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LLM4RETAIL_CONFIG", str(_toml(tmp_path / "env.toml", 'data_dir = "env-file"\n')))
    argument = _toml(tmp_path / "arg.toml", 'data_dir = "argument-file"\n')

    assert get_settings(config_file=argument).data_dir == Path("argument-file")


def test_default_config_file_in_working_directory(clean_environment: Path) -> None:
    _toml(clean_environment / "llm4retail.toml", 'data_dir = "local-file"\n')

    assert get_settings().data_dir == Path("local-file")


def test_environment_beats_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = _toml(tmp_path / "c.toml", 'data_dir = "from-file"\nimport_chunk_rows = 7\n')
    monkeypatch.setenv("LLM4RETAIL_DATA_DIR", str(tmp_path / "from-env"))

    settings = get_settings(config_file=config)

    assert settings.data_dir == tmp_path / "from-env"
    assert settings.import_chunk_rows == 7  # the file still supplies what the environment does not


def test_dotenv_sits_between_environment_and_config_file(
    monkeypatch: pytest.MonkeyPatch, clean_environment: Path, tmp_path: Path
) -> None:
    config = _toml(tmp_path / "c.toml", 'data_dir = "from-file"\nimport_chunk_rows = 7\n')
    (clean_environment / ".env").write_text("LLM4RETAIL_DATA_DIR=from-dotenv\nLLM4RETAIL_IMPORT_CHUNK_ROWS=9\n")

    assert get_settings(config_file=config).data_dir == Path("from-dotenv")

    clear_settings_cache()
    monkeypatch.setenv("LLM4RETAIL_DATA_DIR", "from-env")
    settings = get_settings(config_file=config)
    assert settings.data_dir == Path("from-env")
    assert settings.import_chunk_rows == 9


def test_override_beats_environment_and_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = _toml(tmp_path / "c.toml", 'data_dir = "from-file"\n')
    monkeypatch.setenv("LLM4RETAIL_DATA_DIR", "from-env")

    assert get_settings(config_file=config, data_dir=tmp_path / "flag").data_dir == tmp_path / "flag"


def test_none_override_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM4RETAIL_DATA_DIR", "from-env")

    assert get_settings(data_dir=None).data_dir == Path("from-env")


def test_settings_are_cached_until_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    first = get_settings()
    monkeypatch.setenv("LLM4RETAIL_DATA_DIR", "changed")

    assert get_settings() is first
    clear_settings_cache()
    assert get_settings().data_dir == Path("changed")


def test_config_file_does_not_stick_to_later_calls(tmp_path: Path) -> None:
    config = _toml(tmp_path / "c.toml", 'data_dir = "from-file"\n')
    get_settings(config_file=config)
    clear_settings_cache()

    assert get_settings().data_dir == Path("llm4retail-data")


# --- API keys ---------------------------------------------------------------------------------------


def test_api_keys_from_environment_are_split_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM4RETAIL_API_KEYS", f"{KEY_1}, {KEY_2} ,")

    assert get_settings().api_keys == [KEY_1, KEY_2]


def test_api_keys_as_list_override() -> None:
    assert get_settings(api_keys=[KEY_1, KEY_2]).api_keys == [KEY_1, KEY_2]


def test_no_api_keys_by_default() -> None:
    assert get_settings().api_keys == []


@pytest.mark.parametrize("bad_key", ["changethis", "password", "short-key", "CHANGEME"])
def test_placeholder_or_short_key_is_refused(monkeypatch: pytest.MonkeyPatch, bad_key: str) -> None:
    monkeypatch.setenv("LLM4RETAIL_API_KEYS", f"{KEY_1},{bad_key}")

    with pytest.raises(ConfigError, match="placeholder or shorter than 12"):
        get_settings()


def test_refusing_one_key_does_not_leak_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM4RETAIL_API_KEYS", f"{KEY_1},changethis")

    with pytest.raises(ConfigError, match="placeholder") as raised:
        get_settings()

    assert KEY_1 not in str(raised.value)


# --- nested settings and database URL ---------------------------------------------------------------


def test_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM4RETAIL_LLM__BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("LLM4RETAIL_API__PAGE_SIZE_LIMIT", "25")

    settings = get_settings()

    assert settings.llm.base_url == "http://127.0.0.1:11434/v1"
    assert settings.llm.timeout_seconds == 30.0
    assert settings.api.page_size_limit == 25


def test_nested_tables_in_config_file(tmp_path: Path) -> None:
    config = _toml(tmp_path / "c.toml", '[llm]\nmodel = "qwen"\n\n[api]\nmax_batch_rows = 10\n')

    settings = get_settings(config_file=config)

    assert settings.llm.model == "qwen"
    assert settings.api.max_batch_rows == 10


@pytest.mark.parametrize("url", ["mysql://user@host/db", "http://example.com/db"])
def test_bad_database_url_scheme_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="database_url must start with postgresql:// or sqlite://"):
        get_settings(database_url=url)


def test_refused_database_url_does_not_leak_its_password() -> None:
    with pytest.raises(ConfigError, match="database_url") as raised:
        get_settings(database_url="mysql://user:hunter2-secret@db/retail")

    assert "hunter2-secret" not in str(raised.value)


def test_bad_value_from_environment_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM4RETAIL_IMPORT_CHUNK_ROWS", "0")

    with pytest.raises(ConfigError, match="import_chunk_rows"):
        get_settings()


def test_default_database_is_sqlite_in_data_dir(tmp_path: Path) -> None:
    settings = get_settings(data_dir=tmp_path / "store")

    assert settings.database_url_resolved == f"sqlite:///{(tmp_path / 'store' / 'llm4retail.sqlite').resolve()}"


def test_relative_data_dir_resolves_to_an_absolute_sqlite_path(clean_environment: Path) -> None:
    resolved = get_settings(data_dir=Path("rel")).database_url_resolved

    assert resolved == f"sqlite:///{(clean_environment / 'rel' / 'llm4retail.sqlite').resolve()}"


def test_empty_database_url_means_embedded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LLM4RETAIL_DATABASE_URL", "")

    settings = get_settings(data_dir=tmp_path)

    assert settings.database_url is None
    assert settings.database_url_resolved.startswith("sqlite:///")


def test_postgresql_url_gets_the_psycopg_driver() -> None:
    settings = get_settings(database_url="postgresql://user:pw@db:5432/retail")

    assert settings.database_url_resolved == "postgresql+psycopg://user:pw@db:5432/retail"


def test_explicit_driver_and_sqlite_urls_are_kept() -> None:
    assert get_settings(database_url="postgresql+psycopg://h/db").database_url_resolved == "postgresql+psycopg://h/db"
    clear_settings_cache()
    assert get_settings(database_url="sqlite:////tmp/x.sqlite").database_url_resolved == "sqlite:////tmp/x.sqlite"


# --- config file errors -----------------------------------------------------------------------------


def test_missing_config_file_argument_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        get_settings(config_file=tmp_path / "missing.toml")


def test_missing_config_file_from_environment_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LLM4RETAIL_CONFIG", str(tmp_path / "missing.toml"))

    with pytest.raises(ConfigError, match="missing.toml"):
        get_settings()


def test_settings_constructed_directly_take_nested_dicts(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, api_keys=[KEY_1], api={"max_request_bytes": 1000})

    assert settings.api.max_request_bytes == 1000
    assert settings.api.page_size_limit == 1000
    assert settings.api_keys == [KEY_1]


# --- abuse limits (api.rate_limit, api.cors, api.trusted_proxies) -----------------------------------


def test_safeguard_defaults() -> None:
    api = get_settings().api

    assert api.rate_limit.enabled and api.rate_limit.redis_url is None
    assert (api.rate_limit.anonymous_burst, api.rate_limit.anonymous_per_second) == (200, 20.0)
    assert api.cors.allow_origins == [] and api.trusted_proxies == []
    assert "frame-ancestors 'none'" in api.content_security_policy


def test_safeguard_lists_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM4RETAIL_API__CORS__ALLOW_ORIGINS", "https://shop.example, http://localhost:3000")
    monkeypatch.setenv("LLM4RETAIL_API__CORS__ALLOW_HEADERS", '["Authorization", "X-API-Key"]')
    monkeypatch.setenv("LLM4RETAIL_API__TRUSTED_PROXIES", "10.1.2.3/8,::1")
    monkeypatch.setenv("LLM4RETAIL_API__RATE_LIMIT__ANONYMOUS_BURST", "50")
    monkeypatch.setenv("LLM4RETAIL_API__RATE_LIMIT__REDIS_URL", "redis://127.0.0.1:6379/1")

    api = get_settings().api

    assert api.cors.allow_origins == ["https://shop.example", "http://localhost:3000"]
    assert api.cors.allow_headers == ["Authorization", "X-API-Key"]
    assert api.trusted_proxies == ["10.0.0.0/8", "::1/128"]
    assert api.rate_limit.anonymous_burst == 50 and api.rate_limit.redis_url == "redis://127.0.0.1:6379/1"


@pytest.mark.parametrize(
    ("api", "message"),
    [
        ({"cors": {"allow_origins": ["https://shop.example/"]}}, "api.cors.allow_origins: .*no path or trailing slash"),
        ({"cors": {"allow_origins": ["shop.example"]}}, "api.cors.allow_origins: .*scheme://host"),
        ({"cors": {"allow_origins": ["*"], "allow_credentials": True}}, "api.cors.allow_credentials: .*explicit"),
        ({"trusted_proxies": ["proxy.internal"]}, "api.trusted_proxies: .*not an IP address or network"),
        ({"rate_limit": {"redis_url": "http://127.0.0.1:6379"}}, "api.rate_limit.redis_url: .*redis://"),
        ({"rate_limit": {"anonymous_burst": 0}}, "api.rate_limit.anonymous_burst"),
    ],
)
def test_bad_safeguard_settings_are_refused(api: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        get_settings(api=api)
