from datetime import time
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from payroute_common.settings import ServiceSettings, local_database_url


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RECONCILIATION_", extra="ignore", frozen=True)

    service_name: str = "reconciliation"
    port: int = Field(default=8002, ge=1, le=65535)
    database_url: SecretStr = local_database_url("reconciliation")
    # A settlement report larger than this is refused (413) as it arrives.
    max_report_bytes: int = Field(default=512 * 1024 * 1024, ge=1)
    # Reports dropped here are ingested (see watch.py); unset: no directory.
    watch_dir: Path | None = None
    # The daily schedule: providers to reconcile (empty: every known format), the
    # UTC time after which yesterday is due, how long a missing report is waited
    # for, how often replicas look, and when a `running` run counts as abandoned.
    schedule_enabled: bool = True
    schedule_providers: Annotated[tuple[str, ...], NoDecode] = ()
    schedule_run_at: time = time(2, 0)
    schedule_max_wait_days: int = Field(default=3, ge=0, le=60)
    schedule_poll_s: float = Field(default=60.0, gt=0, le=3600)
    stale_run_s: float = Field(default=900.0, gt=0)

    @field_validator("schedule_providers", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """`RECONCILIATION_SCHEDULE_PROVIDERS=stripe,paymongo`."""
        if isinstance(value, str):
            return tuple(p.strip() for p in value.split(",") if p.strip())
        return value
