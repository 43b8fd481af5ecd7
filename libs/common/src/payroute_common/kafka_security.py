"""How every Kafka client Payroute creates connects: plaintext, TLS, SASL, or both.

One configuration, read from the environment (unprefixed, shared by every
service and the operators' tools), is turned into aiokafka's connection keyword
arguments (`client_security`) and FastStream's security object
(`broker_security`). Every producer, consumer, admin client and broker is built
with one of the two; a test holds the code base to it.

Nothing set means PLAINTEXT with no authentication: the local broker (Tansu).
An inconsistent combination fails when the settings are read, naming the
variable to fix, so a service never starts half-configured. The password is a
`SecretStr`: it reaches the client and nothing else.
"""

from __future__ import annotations

import ssl
from typing import Any, Literal

from aiokafka.helpers import create_ssl_context
from faststream.security import (
    BaseSecurity,
    SASLPlaintext,
    SASLScram256,
    SASLScram512,
)
from pydantic import Field, FilePath, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

SASL_PROTOCOLS: frozenset[str] = frozenset({"SASL_PLAINTEXT", "SASL_SSL"})
TLS_PROTOCOLS: frozenset[str] = frozenset({"SSL", "SASL_SSL"})

_FASTSTREAM_SASL: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}


class KafkaSecurityError(ValueError):
    """The TLS material named by the settings cannot be loaded; the message says which."""


class KafkaSecurity(BaseSettings):
    """The broker connection's security, as `KAFKA_*` environment variables set it."""

    # A setting that fails validation is not echoed back: its input holds the password
    # (and, in services' settings, the database URL with its password).
    model_config = SettingsConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    kafka_security_protocol: SecurityProtocol = Field(
        default="PLAINTEXT", validation_alias="KAFKA_SECURITY_PROTOCOL"
    )
    kafka_sasl_mechanism: SaslMechanism | None = Field(
        default=None, validation_alias="KAFKA_SASL_MECHANISM"
    )
    kafka_sasl_username: str | None = Field(default=None, validation_alias="KAFKA_SASL_USERNAME")
    kafka_sasl_password: SecretStr | None = Field(
        default=None, validation_alias="KAFKA_SASL_PASSWORD"
    )
    # The CA that signed the brokers' certificates (Strimzi's cluster CA); without
    # it, the system's trusted CAs are used.
    kafka_ssl_cafile: FilePath | None = Field(default=None, validation_alias="KAFKA_SSL_CAFILE")
    # A client certificate and key, for brokers that authenticate clients by TLS.
    kafka_ssl_certfile: FilePath | None = Field(default=None, validation_alias="KAFKA_SSL_CERTFILE")
    kafka_ssl_keyfile: FilePath | None = Field(default=None, validation_alias="KAFKA_SSL_KEYFILE")

    @model_validator(mode="after")
    def _consistent(self) -> KafkaSecurity:
        protocol = self.kafka_security_protocol
        if protocol in SASL_PROTOCOLS:
            _require_sasl(self)
        elif self._sasl_set():
            raise ValueError(
                f"KAFKA_SASL_* is set but KAFKA_SECURITY_PROTOCOL={protocol} does not "
                "authenticate: use SASL_SSL or SASL_PLAINTEXT, or unset KAFKA_SASL_*"
            )
        if protocol not in TLS_PROTOCOLS and self._tls_files_set():
            raise ValueError(
                f"KAFKA_SSL_* is set but KAFKA_SECURITY_PROTOCOL={protocol} does not use TLS: "
                "use SSL or SASL_SSL, or unset KAFKA_SSL_*"
            )
        if self.kafka_ssl_keyfile is not None and self.kafka_ssl_certfile is None:
            raise ValueError("KAFKA_SSL_KEYFILE is set without KAFKA_SSL_CERTFILE")
        return self

    def _sasl_set(self) -> bool:
        return any(
            value is not None
            for value in (
                self.kafka_sasl_mechanism,
                self.kafka_sasl_username,
                self.kafka_sasl_password,
            )
        )

    def _tls_files_set(self) -> bool:
        return any(
            path is not None
            for path in (self.kafka_ssl_cafile, self.kafka_ssl_certfile, self.kafka_ssl_keyfile)
        )


def _require_sasl(security: KafkaSecurity) -> None:
    protocol = security.kafka_security_protocol
    if security.kafka_sasl_mechanism is None:
        raise ValueError(
            f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_MECHANISM "
            "(PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)"
        )
    password = security.kafka_sasl_password
    if not security.kafka_sasl_username or password is None or not password.get_secret_value():
        raise ValueError(
            f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"
        )


def client_security(security: KafkaSecurity) -> dict[str, Any]:
    """aiokafka's connection keyword arguments (producer, consumer, admin client).

    Empty for PLAINTEXT, so the client's defaults apply exactly as without them.
    """
    protocol = security.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return {}
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol in TLS_PROTOCOLS:
        options["ssl_context"] = _ssl_context(security)
    if protocol in SASL_PROTOCOLS:
        username, password = _credentials(security)
        options |= {
            "sasl_mechanism": security.kafka_sasl_mechanism,
            "sasl_plain_username": username,
            "sasl_plain_password": password,
        }
    return options


def broker_security(security: KafkaSecurity) -> BaseSecurity | None:
    """FastStream's security object for `KafkaBroker(security=...)`; None for PLAINTEXT."""
    protocol = security.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    context = _ssl_context(security) if protocol in TLS_PROTOCOLS else None
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    username, password = _credentials(security)
    sasl = _FASTSTREAM_SASL[str(security.kafka_sasl_mechanism)]
    return sasl(username, password, ssl_context=context, use_ssl=context is not None)


def _credentials(security: KafkaSecurity) -> tuple[str, str]:
    password = security.kafka_sasl_password
    if security.kafka_sasl_username is None or password is None:  # the validator forbids it
        raise KafkaSecurityError("SASL without KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
    return security.kafka_sasl_username, password.get_secret_value()


def _ssl_context(security: KafkaSecurity) -> ssl.SSLContext:
    """A context that verifies the brokers (hostname included) and, when a client
    certificate is given, presents it."""
    try:
        context: ssl.SSLContext = create_ssl_context(
            cafile=security.kafka_ssl_cafile,
            certfile=security.kafka_ssl_certfile,
            keyfile=security.kafka_ssl_keyfile,
        )
    except (ssl.SSLError, OSError) as error:
        raise KafkaSecurityError(
            "cannot load the Kafka TLS files "
            f"(KAFKA_SSL_CAFILE={security.kafka_ssl_cafile}, "
            f"KAFKA_SSL_CERTFILE={security.kafka_ssl_certfile}, "
            f"KAFKA_SSL_KEYFILE={security.kafka_ssl_keyfile}): {error}"
        ) from None
    return context
