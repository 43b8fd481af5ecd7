"""The broker connection's security: from `KAFKA_*` variables to aiokafka and FastStream."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import certifi
import pytest
import yaml  # type: ignore[import-untyped]
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from pydantic import ValidationError

from payroute_common.kafka import make_broker, make_producer
from payroute_common.kafka_security import (
    KafkaSecurity,
    KafkaSecurityError,
    broker_security,
    client_security,
)
from payroute_common.settings import BrokerSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[4]
CA = certifi.where()
PASSWORD = "hunter2-do-not-print"
KAFKA_VARIABLES = (
    "KAFKA_SECURITY_PROTOCOL",
    "KAFKA_SASL_MECHANISM",
    "KAFKA_SASL_USERNAME",
    "KAFKA_SASL_PASSWORD",
    "KAFKA_SSL_CAFILE",
    "KAFKA_SSL_CERTFILE",
    "KAFKA_SSL_KEYFILE",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees only the variables it sets."""
    for name in KAFKA_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def security(**variables: str) -> KafkaSecurity:
    return KafkaSecurity(**variables)  # type: ignore[arg-type]


def sasl(
    protocol: str = "SASL_SSL", mechanism: str = "SCRAM-SHA-512", **more: str
) -> KafkaSecurity:
    return security(
        KAFKA_SECURITY_PROTOCOL=protocol,
        KAFKA_SASL_MECHANISM=mechanism,
        KAFKA_SASL_USERNAME="orchestrator",
        KAFKA_SASL_PASSWORD=PASSWORD,
        **more,
    )


def without_context(options: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in options.items() if key != "ssl_context"}


def test_nothing_set_is_plaintext_with_the_clients_defaults() -> None:
    settings = security()
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert client_security(settings) == {}
    assert broker_security(settings) is None


def test_the_deployments_variables_give_scram_over_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": "gateway-api",
        "KAFKA_SASL_PASSWORD": PASSWORD,
        "KAFKA_SSL_CAFILE": CA,
    }.items():
        monkeypatch.setenv(name, value)
    options = client_security(BrokerSettings())
    assert without_context(options) == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "gateway-api",
        "sasl_plain_password": PASSWORD,
    }
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


@pytest.mark.parametrize(
    ("mechanism", "kind"),
    [("PLAIN", SASLPlaintext), ("SCRAM-SHA-256", SASLScram256), ("SCRAM-SHA-512", SASLScram512)],
)
@pytest.mark.parametrize("protocol", ["SASL_SSL", "SASL_PLAINTEXT"])
def test_each_mechanism_is_faststreams_matching_security(
    protocol: str, mechanism: str, kind: type[BaseSecurity]
) -> None:
    settings = sasl(protocol, mechanism)
    secured = broker_security(settings)
    assert type(secured) is kind
    assert secured.use_ssl is (protocol == "SASL_SSL")
    assert (secured.ssl_context is not None) is (protocol == "SASL_SSL")
    assert without_context(parse_security(secured)) == without_context(client_security(settings))


@pytest.mark.parametrize("cafile", [None, CA])
def test_tls_alone_verifies_the_broker(cafile: str | None) -> None:
    settings = security(
        KAFKA_SECURITY_PROTOCOL="SSL", **({"KAFKA_SSL_CAFILE": cafile} if cafile else {})
    )
    options = client_security(settings)
    assert without_context(options) == {"security_protocol": "SSL"}
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    secured = broker_security(settings)
    assert type(secured) is BaseSecurity
    assert without_context(parse_security(secured)) == {"security_protocol": "SSL"}


def test_a_client_certificate_is_presented(tmp_path: Path) -> None:
    certfile, keyfile = client_certificate(tmp_path)
    settings = security(
        KAFKA_SECURITY_PROTOCOL="SSL",
        KAFKA_SSL_CAFILE=CA,
        KAFKA_SSL_CERTFILE=str(certfile),
        KAFKA_SSL_KEYFILE=str(keyfile),
    )
    assert isinstance(client_security(settings)["ssl_context"], ssl.SSLContext)


def test_a_file_that_is_not_a_certificate_is_named(tmp_path: Path) -> None:
    garbage = tmp_path / "ca.crt"
    garbage.write_text("not a certificate")
    settings = security(KAFKA_SECURITY_PROTOCOL="SSL", KAFKA_SSL_CAFILE=str(garbage))
    with pytest.raises(KafkaSecurityError, match=r"KAFKA_SSL_CAFILE=.*ca\.crt"):
        client_security(settings)


@pytest.mark.parametrize(
    ("variables", "says"),
    [
        (
            {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512"},
            "needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD",
        ),
        (
            {
                "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM": "PLAIN",
                "KAFKA_SASL_USERNAME": "orchestrator",
                "KAFKA_SASL_PASSWORD": "",
            },
            "needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD",
        ),
        (
            {
                "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                "KAFKA_SASL_USERNAME": "orchestrator",
                "KAFKA_SASL_PASSWORD": PASSWORD,
            },
            "needs KAFKA_SASL_MECHANISM",
        ),
        ({"KAFKA_SASL_MECHANISM": "GSSAPI"}, "KAFKA_SASL_MECHANISM"),
        ({"KAFKA_SECURITY_PROTOCOL": "TLS"}, "KAFKA_SECURITY_PROTOCOL"),
        (
            {"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CAFILE": "/nonexistent/ca.crt"},
            "KAFKA_SSL_CAFILE",
        ),
        (
            {"KAFKA_SASL_USERNAME": "orchestrator", "KAFKA_SASL_PASSWORD": PASSWORD},
            "KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not authenticate",
        ),
        (
            {
                "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM": "PLAIN",
                "KAFKA_SASL_USERNAME": "orchestrator",
                "KAFKA_SASL_PASSWORD": PASSWORD,
                "KAFKA_SSL_CAFILE": CA,
            },
            "KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT does not use TLS",
        ),
        (
            {"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_KEYFILE": CA},
            "KAFKA_SSL_KEYFILE is set without KAFKA_SSL_CERTFILE",
        ),
    ],
)
def test_an_inconsistent_configuration_fails_and_says_why(
    variables: dict[str, str], says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=says) as failure:
        ServiceSettings(service_name="test", port=1, database_url=f"postgresql://u:{PASSWORD}@db/x")
    assert PASSWORD not in str(failure.value)


def test_the_password_is_never_shown() -> None:
    settings = sasl()
    assert PASSWORD not in repr(settings)
    assert PASSWORD not in str(settings)
    assert PASSWORD not in settings.model_dump_json()


async def test_the_service_clients_take_the_configuration() -> None:
    settings = ServiceSettings(
        service_name="test",
        port=1,
        database_url="postgresql://unused/unused",
        KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        KAFKA_SASL_MECHANISM="SCRAM-SHA-512",
        KAFKA_SASL_USERNAME="orchestrator",
        KAFKA_SASL_PASSWORD=PASSWORD,
        KAFKA_SSL_CAFILE=CA,
    )
    expected = without_context(client_security(settings))
    client = make_producer(settings).client
    assert client._security_protocol == "SASL_SSL"
    assert client._sasl_mechanism == "SCRAM-SHA-512"
    assert client._sasl_plain_username == "orchestrator"
    assert isinstance(client._ssl_context, ssl.SSLContext)
    # What the broker hands every client it creates (its producer, admin, consumers).
    connection = make_broker(settings)._connection_kwargs
    assert {key: connection[key] for key in expected} == expected
    assert isinstance(connection["ssl_context"], ssl.SSLContext)


def client_certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway self-signed client certificate and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a client certificate")
    certfile, keyfile = directory / "user.crt", directory / "user.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            "/CN=orchestrator",
            "-days",
            "1",
            "-keyout",
            str(keyfile),
            "-out",
            str(certfile),
        ],
        check=True,
        capture_output=True,
    )
    return certfile, keyfile


def test_the_kubernetes_deployments_set_exactly_these_variables() -> None:
    """Each Deployment's KAFKA_* variables (its own and the shared ConfigMap's) are ones
    the settings read, and the five SCRAM-over-TLS ones are all there."""
    documents = [
        document
        for path in sorted((ROOT / "deploy" / "k8s").rglob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text())
        if isinstance(document, dict)
    ]
    shared: dict[str, dict[str, str]] = {
        document["metadata"]["name"]: document.get("data", {})
        for document in documents
        if document.get("kind") == "ConfigMap"
    }
    known = {field.validation_alias for field in BrokerSettings.model_fields.values()}
    containers = [
        container
        for document in documents
        if document.get("kind") == "Deployment"
        for container in document["spec"]["template"]["spec"]["containers"]
    ]
    assert containers
    for container in containers:
        values = {variable["name"]: variable.get("value") for variable in container.get("env", [])}
        for source in container.get("envFrom", []):
            values |= shared.get(source.get("configMapRef", {}).get("name"), {})
        kafka = {name for name in values if name.startswith("KAFKA_")}
        assert kafka <= known, container["name"]
        if "KAFKA_BOOTSTRAP_SERVERS" in kafka:
            assert set(KAFKA_VARIABLES[:5]) <= kafka, container["name"]
            mounts = {mount["mountPath"] for mount in container.get("volumeMounts", [])}
            assert str(Path(values["KAFKA_SSL_CAFILE"]).parent) in mounts, container["name"]
