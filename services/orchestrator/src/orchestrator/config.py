from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from payroute_common.settings import ServiceSettings, local_database_url


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORCHESTRATOR_", extra="ignore", frozen=True)

    service_name: str = "orchestrator"
    port: int = Field(default=8003, ge=1, le=65535)
    database_url: SecretStr = local_database_url("orchestrator")
    # How long an operator has to verify a manual payment when the command says nothing.
    verification_ttl_s: int = Field(default=72 * 3600, ge=1)
    timer_poll_interval_s: float = Field(default=1.0, gt=0, le=60)
    timer_batch_size: int = Field(default=100, ge=1, le=10_000)
    # Asking a provider what became of an attempt whose outcome is unknown: the delays
    # before each query (the last one repeats), and how old an attempt must be before
    # the provider's "no such payment" is believed (its search may lag behind).
    status_query_delays_s: tuple[float, ...] = Field(
        default=(2.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0), min_length=1
    )
    status_not_found_grace_s: float = Field(default=90.0, ge=0)
    # An attempt, capture, void or refund without any answer this long is treated as
    # undetermined: the attempt is asked about, the operation sent again.
    answer_deadline_s: float = Field(default=60.0, gt=0, le=3600)
    # A payment waiting for its customer (`requires_action`) fails this long after.
    action_ttl_s: float = Field(default=3600.0, gt=0, le=7 * 24 * 3600)
    # The next provider after a retryable failure: exponential backoff, full jitter, a cap.
    retry_base_s: float = Field(default=0.5, gt=0, le=60)
    retry_cap_s: float = Field(default=30.0, gt=0, le=3600)
    # How long routing reuses what it read of provider health and success rates.
    conditions_ttl_s: float = Field(default=1.0, ge=0, le=60)
