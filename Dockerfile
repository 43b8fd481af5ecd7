# syntax=docker/dockerfile:1
# One image for every Payroute service; the module to run is the command:
#   docker run IMAGE gateway_api        (or orchestrator, provider_worker, webhook_ingest,
#                                        reconciliation, metrics_exporter, provider_simulator)
# Each service migrates its own database at start. Configuration and secrets come from
# the environment at run time; none are baked in.

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml ./
COPY libs ./libs
COPY services ./services
# A regular (not editable) install: the packages, with their migrations, land in the venv.
RUN pip install .

FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 10001 payroute \
    && useradd --system --uid 10001 --gid payroute --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin payroute
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
# Numeric, so Kubernetes' runAsNonRoot can verify it (deploy/k8s uses the same ids).
USER 10001:10001
ENTRYPOINT ["python", "-m"]
