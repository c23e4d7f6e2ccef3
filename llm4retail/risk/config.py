"""Risk settings (`LLM4RETAIL_RISK__*`), nested like the other capabilities' settings.

Kept beside the capability so the shared `Settings` stays untouched; the variable names
are the ones a `risk` field of `Settings` would read (`LLM4RETAIL_RISK__REDIS_URL`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from llm4retail.errors import ConfigError
from llm4retail.risk.thresholds import ThresholdPolicy


class RiskSettings(BaseSettings):
    """Payment-risk scoring settings.

    Attributes:
        redis_url: keep per-customer state in Redis (server mode, several workers); unset = in-process.
        redis_prefix: prefix of every Redis key (separates stores sharing one server).
        policy: how the review threshold is chosen.
        target: false-positive rate (target_fpr) or cost ratio (cost_ratio).
        top_reasons: reason codes returned with each score.
        rules_file: JSON list of rules replacing the defaults (see `llm4retail.risk.rules`).
    """

    model_config = SettingsConfigDict(env_prefix="LLM4RETAIL_RISK__", extra="ignore")

    redis_url: str | None = Field(None, description="redis://127.0.0.1:6379/0 ; unset = in-process state")
    redis_prefix: str = Field("llm4retail:risk:", min_length=1, description="key prefix (one per store/tenant)")
    policy: ThresholdPolicy = ThresholdPolicy.TARGET_FPR
    target: float = Field(0.01, gt=0)
    top_reasons: int = Field(3, ge=1, le=20)
    rules_file: Path | None = Field(None, description="JSON list of rules; unset = the default rules")

    @field_validator("redis_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"redis_url must start with redis://, rediss:// or unix://, got '{value.split(':')[0]}:'")
        return value


def get_risk_settings(**overrides: object) -> RiskSettings:
    """Risk settings from the environment, with keyword overrides (None values ignored).

    Raises:
        ConfigError: a setting is invalid.
    """
    try:
        return RiskSettings(**{key: value for key, value in overrides.items() if value is not None})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors(include_input=False)
        )
        raise ConfigError(f"invalid risk configuration: {problems}") from None
