"""Configuration: one `Settings` object, read from flags, environment, a TOML file and defaults.

Precedence, highest first:

1. explicit overrides (CLI flags such as `--data-dir`, or keyword arguments to `get_settings`);
2. environment variables with the `LLM4RETAIL_` prefix (nested with `__`, e.g. `LLM4RETAIL_LLM__BASE_URL`);
3. a `.env` file in the working directory;
4. a TOML config file: `--config FILE`, else `LLM4RETAIL_CONFIG`, else `./llm4retail.toml` if present;
5. the defaults below.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from llm4retail.errors import ConfigError

DEFAULT_CONFIG_FILE = Path("llm4retail.toml")
PLACEHOLDER_SECRETS = {"changethis", "changeme", "secret", "password"}
MIN_API_KEY_LENGTH = 12


class LLMSettings(BaseModel):
    """An OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server). Unset = offline default."""

    base_url: str | None = Field(None, description="e.g. http://127.0.0.1:11434/v1")
    model: str | None = None
    api_key: str | None = None
    timeout_seconds: float = Field(30.0, gt=0)


def _comma_list(value: Any) -> Any:
    """A list setting from the environment: comma-separated (`a,b`) or JSON (`["a", "b"]`)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


def _redis_url(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"redis_url must start with redis://, rediss:// or unix://, got '{value.split(':')[0]}:'")
    return value


class RateLimitSettings(BaseModel):
    """Requests per caller (`LLM4RETAIL_API__RATE_LIMIT__*`); over the limit the answer is 429 with Retry-After.

    A token bucket per caller: `burst` requests at once, refilled at `per_second`. A caller
    without credentials is its client IP; one with an `X-API-Key` or `Authorization: Bearer`
    credential is that credential (by hash, valid or not), refused while its IP is over the
    anonymous limit, and a request answered 401 (credentials not valid) also counts against its
    IP, so made-up credentials do not multiply a client's budget. `/health` and `/ready` are not limited.

    Attributes:
        enabled: off for load tests and benchmarks (docs/server.md).
        anonymous_per_second: sustained requests per second of one client IP without credentials.
        anonymous_burst: requests one client IP may send at once (a page load, a search typed fast).
        credential_per_second: sustained requests per second of one API key or customer token.
        credential_burst: requests one credential may send at once.
        redis_url: share the counts between workers and machines (server mode); unset = in-process.
        redis_prefix: prefix of every Redis key.
        max_tracked: callers tracked in-process; beyond it the longest idle are forgotten (bounds memory).
    """

    enabled: bool = True
    anonymous_per_second: float = Field(20.0, gt=0, le=1e6)
    anonymous_burst: int = Field(200, ge=1, le=1_000_000)
    credential_per_second: float = Field(100.0, gt=0, le=1e6)
    credential_burst: int = Field(1000, ge=1, le=1_000_000)
    redis_url: str | None = Field(None, description="redis://127.0.0.1:6379/0 ; unset = in-process counts")
    redis_prefix: str = Field("llm4retail:rate:", min_length=1)
    max_tracked: int = Field(100_000, ge=100)

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        return _redis_url(value)


class CorsSettings(BaseModel):
    """Which other web origins may call the API from a browser (`LLM4RETAIL_API__CORS__*`); default: none.

    Attributes:
        allow_origins: e.g. `https://shop.example` (scheme, host and port; no path); `*` allows any.
        allow_methods: methods a cross-origin page may use.
        allow_headers: request headers it may send; `Authorization` carries a customer token. API keys
            (`X-API-Key`) belong on the shop's servers, so they are not allowed unless listed.
        allow_credentials: let browsers send cookies (the API does not use them; tokens go in `Authorization`).
        max_age_seconds: how long a browser may cache a preflight answer.
    """

    allow_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    allow_methods: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["GET", "POST", "PATCH", "DELETE"])
    allow_headers: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["Authorization", "Content-Type"])
    allow_credentials: bool = False
    max_age_seconds: int = Field(600, ge=0, le=86_400)

    @field_validator("allow_origins", "allow_methods", "allow_headers", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _comma_list(value)

    @field_validator("allow_origins")
    @classmethod
    def _check_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if origin != "*" and not re.fullmatch(r"https?://[^/\s?#]+", origin):
                raise ValueError(
                    f"CORS origin '{origin}' must be scheme://host[:port] with no path or trailing slash "
                    "(e.g. https://shop.example), or '*'"
                )
        return origins

    @field_validator("allow_credentials")
    @classmethod
    def _no_credentials_for_everyone(cls, allow: bool, info: Any) -> bool:  # info: pydantic's ValidationInfo
        if allow and "*" in info.data.get("allow_origins", []):
            raise ValueError("needs explicit allow_origins: browsers refuse credentials with allow_origins '*'")
        return allow


DEFAULT_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class ApiSettings(BaseModel):
    """HTTP server limits."""

    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="addresses or networks (10.0.0.0/8) of proxies whose X-Forwarded-For names the client; "
        "default: none (the client is the peer address)",
    )
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    cors: CorsSettings = Field(default_factory=CorsSettings)
    content_security_policy: str = Field(
        DEFAULT_CONTENT_SECURITY_POLICY, min_length=1, description="sent on every response a route does not set one on"
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        return _comma_list(value)

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, proxies: list[str]) -> list[str]:
        networks = []
        for proxy in proxies:
            try:
                networks.append(str(ipaddress.ip_network(proxy, strict=False)))  # 10.1.2.3/8 -> 10.0.0.0/8
            except ValueError as error:
                raise ValueError(f"trusted proxy '{proxy}' is not an IP address or network: {error}") from None
        return networks
    cpu_slots: int | None = Field(
        None, ge=1, le=256,
        description="searches computed at once by one worker; the others wait their turn without holding a thread "
        "(default: the CPU count, divided among the workers of `serve --workers N`; more only adds contention "
        "for the cores and the GIL)",
    )  # fmt: skip
    worker_healthcheck_seconds: int = Field(
        120, ge=5, le=3600,
        description="`serve --workers N`: how long a worker may leave the supervisor's liveness ping unanswered before "
        "it is killed and restarted (uvicorn's default, 5 s, kills a worker that loads a 100x store's index)",
    )  # fmt: skip
    max_request_bytes: int = Field(20 * 1024 * 1024, gt=0, description="larger bodies get 413")
    max_upload_bytes: int = Field(
        2 * 1024**3, gt=0, description="largest file the console's data page may upload for import (larger: 413)"
    )
    max_batch_rows: int = Field(50_000, gt=0, description="rows per bulk/batch write request")
    page_size_limit: int = Field(1000, gt=0)


class AuthSettings(BaseModel):
    """Who may call what (see docs/access.md): API keys (`llm4retail keys`) and customer tokens."""

    token_secret: SecretStr | None = Field(
        None,
        description="HMAC key signing customer tokens; unset = a random key kept in <data-dir>/secrets/token.key "
        "(set it when several machines serve one store)",
    )
    token_ttl_seconds: int = Field(3600, ge=60, le=7 * 86400, description="default lifetime of a customer token")
    demo_login: bool | None = Field(
        None, description="POST /auth/demo-login issues customer tokens without a password; None = on for the demo store"
    )
    key_cache_seconds: float = Field(5.0, ge=0, le=300, description="how long a checked API key is trusted in memory")

    @field_validator("token_secret")
    @classmethod
    def _strong_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and (
            value.get_secret_value().lower() in PLACEHOLDER_SECRETS or len(value.get_secret_value()) < 32
        ):
            raise ValueError(
                "token_secret is a placeholder or shorter than 32 characters; "
                "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return value


_CURRENCY_CODE = re.compile(r"[A-Z]{3}")


def _currency_code(value: Any) -> str:
    code = str(value).strip().upper()
    if not _CURRENCY_CODE.fullmatch(code):
        raise ValueError(f"'{value}' is not a three-letter ISO 4217 currency code such as USD, EUR or CNY")
    return code


class CurrencySettings(BaseModel):
    """Prices and currencies (`LLM4RETAIL_CURRENCY__*`; docs/search.md, "Prices and currencies").

    Rates are the shop's own configuration: nothing is fetched. Without a rate between two currencies,
    a price filter in one of them applies only to prices in that currency, and search says so.

    Attributes:
        default: the currency of products that name none (a store imported without a `currency` column).
        base: the currency the rates are quoted in.
        rates: currency -> units of `base` per unit, e.g. `{"CNY": 0.14, "EUR": 1.08}` with base USD;
            from the environment as JSON (`LLM4RETAIL_CURRENCY__RATES='{"CNY": 0.14}'`). Empty: no conversion.
    """

    default: str = Field("USD", description="currency of products without one (ISO 4217)")
    base: str = Field("USD", description="currency the rates are quoted in (ISO 4217)")
    rates: dict[str, float] = Field(
        default_factory=dict, description='units of `base` per unit of each currency, e.g. {"CNY": 0.14}; empty = none'
    )

    @field_validator("default", "base", mode="before")
    @classmethod
    def _check_code(cls, value: Any) -> str:
        return _currency_code(value)

    @field_validator("rates", mode="before")
    @classmethod
    def _check_rates(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = json.loads(value) if value.strip() else {}
        if not isinstance(value, dict):
            raise ValueError('rates must be a mapping such as {"CNY": 0.14}')
        rates = {}
        for code, rate in value.items():
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0 or rate == float("inf"):
                raise ValueError(f"the rate of {code} must be a positive number, got {rate!r}")
            rates[_currency_code(code)] = float(rate)
        return rates


class ModelSettings(BaseModel):
    """The model store: `<data_dir>/models/<capability>/vNNNN`."""

    keep_versions: int = Field(5, ge=1, description="versions kept per capability (the newest); older ones are pruned")
    train_on_start: bool = Field(
        True, description="`serve` trains every capability that has no model yet, in the background (see /ready)"
    )
    checkpoint_seconds: float = Field(
        30.0, ge=0,
        description="a search index changed live (catalog writes, events) is checkpointed at most this many seconds "
                    "after the change, so a crash costs no rebuild; 0 = only saved at shutdown",
    )  # fmt: skip


class BatchSettings(BaseModel):
    """Batch jobs (`llm4retail batch run`; `LLM4RETAIL_BATCH__*`).

    Attributes:
        ray_address: where batch jobs run by default: unset = in this process; `local` = a Ray instance
            started on this machine for the run; `auto` = the running Ray cluster (`RAY_ADDRESS`, or a head
            started with `ray start --head` here); `ray://host:10001` or `host:6379` = that cluster.
    """

    ray_address: str | None = Field(None, description="unset = in-process; local, auto or a Ray cluster address")


class VoiceSettings(BaseModel):
    """Voice search and voice orders (`LLM4RETAIL_VOICE__*`; the `voice` extra)."""

    model_dir: Path | None = Field(
        None, description="a CTranslate2 Whisper model folder; unset = the packaged Whisper base (multilingual)"
    )
    beam_size: int = Field(5, ge=1, le=10, description="beam width of the speech recogniser")
    threads: int = Field(2, ge=1, le=64, description="CPU threads of the speech recogniser")
    max_seconds: float = Field(30.0, gt=0, le=120, description="longest clip accepted (longer: 413)")
    max_bytes: int = Field(10 * 1024 * 1024, gt=0, description="largest clip accepted (larger: 413)")


class RiskSettings(BaseModel):
    """Payment-risk scoring (`LLM4RETAIL_RISK__*`).

    Attributes:
        redis_url: keep per-customer state in Redis (server mode, several workers); unset = in-process.
        redis_prefix: prefix of every Redis key (separates stores sharing one server).
        policy: how the review threshold is chosen.
        target: false-positive rate (target_fpr) or cost ratio (cost_ratio).
        top_reasons: reason codes returned with each score.
        rules_file: JSON list of rules replacing the defaults (see `llm4retail.risk.rules`).
    """

    redis_url: str | None = Field(None, description="redis://127.0.0.1:6379/0 ; unset = in-process state")
    redis_prefix: str = Field("llm4retail:risk:", min_length=1, description="key prefix (one per store/tenant)")
    policy: Literal["target_fpr", "cost_ratio"] = "target_fpr"
    target: float = Field(0.01, gt=0)
    top_reasons: int = Field(3, ge=1, le=20)
    rules_file: Path | None = Field(None, description="JSON list of rules; unset = the default rules")

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        return _redis_url(value)


class Settings(BaseSettings):
    """All settings of LLMforRetail.

    Example:
        >>> settings = get_settings(data_dir="/tmp/store")
        >>> settings.database_url_resolved
        'sqlite:////tmp/store/llm4retail.sqlite'
    """

    model_config = SettingsConfigDict(
        env_prefix="LLM4RETAIL_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    data_dir: Path = Field(Path("./llm4retail-data"), description="models, indexes and the embedded database")
    database_url: str | None = Field(None, description="postgresql://... ; unset = embedded SQLite in data_dir")
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list, description="comma-separated")
    import_chunk_rows: int = Field(50_000, gt=0, description="rows per import chunk (bounds memory)")
    llm: LLMSettings = Field(default_factory=LLMSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    models: ModelSettings = Field(default_factory=ModelSettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    batch: BatchSettings = Field(default_factory=BatchSettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    redis_url: str | None = Field(
        None, description="server mode: redis://host:6379/0 carries each API worker's product and event writes to "
                          "the others at once (the change feed); unset = none (one worker)",
    )  # fmt: skip
    redis_prefix: str = Field("llm4retail:", min_length=1,
                              description="prefix of server mode's Redis channel and keys (one per store)")
    auth: AuthSettings = Field(default_factory=AuthSettings)
    currency: CurrencySettings = Field(default_factory=CurrencySettings)

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = value.split(",")
        keys = [str(key).strip() for key in value if str(key).strip()]
        for key in keys:
            if key.lower() in PLACEHOLDER_SECRETS or len(key) < MIN_API_KEY_LENGTH:
                raise ValueError(
                    f"API key '{key[:4]}…' is a placeholder or shorter than {MIN_API_KEY_LENGTH} characters; "
                    "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(24))'"
                )
        return keys

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        return _redis_url(value)

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("postgresql://", "postgresql+psycopg://", "sqlite:///")):
            raise ValueError(
                f"database_url must start with postgresql:// or sqlite:///, got '{value.split(':')[0]}:'"
            )
        return value

    @property
    def database_url_resolved(self) -> str:
        """The SQLAlchemy URL: the configured one, or the embedded SQLite file in `data_dir`."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{(self.data_dir / 'llm4retail.sqlite').resolve()}"

    @property
    def models_dir(self) -> Path:
        """Where every trained model lives: `<data_dir>/models/<capability>/vNNNN`."""
        return self.data_dir / "models"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = _config_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings, dotenv_settings]
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


_CONFIG_OVERRIDE: list[Path | None] = [None]


def _config_file() -> Path | None:
    explicit = _CONFIG_OVERRIDE[0] or os.environ.get("LLM4RETAIL_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file '{path}' does not exist (from --config or LLM4RETAIL_CONFIG)")
        return path
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def get_settings(*, config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings; keyword overrides win over every other source.

    Args:
        config_file: a TOML file (else `LLM4RETAIL_CONFIG`, else `./llm4retail.toml` if present).
        **overrides: field values, e.g. from CLI flags; None values are ignored.

    Raises:
        ConfigError: a setting is invalid or the config file is missing.
    """
    cleaned = tuple(sorted((key, value) for key, value in overrides.items() if value is not None))
    try:
        hash(cleaned)
    except TypeError:  # unhashable override (a list): build uncached
        return _cached_settings.__wrapped__(config_file, cleaned)
    return _cached_settings(config_file, cleaned)


@lru_cache(maxsize=16)
def _cached_settings(config_file: Path | None, overrides: tuple[tuple[str, Any], ...]) -> Settings:
    _CONFIG_OVERRIDE[0] = config_file
    try:
        return Settings(**dict(overrides))
    except ValidationError as error:
        # Name the setting and the rule, never the input: it may hold keys or passwords.
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors(include_input=False)
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
    finally:
        _CONFIG_OVERRIDE[0] = None


def clear_settings_cache() -> None:
    """Forget cached settings (tests change the environment between calls)."""
    _cached_settings.cache_clear()
