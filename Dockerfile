# syntax=docker/dockerfile:1
# One image for every Payroute service; the module to run is the command:
#   docker run IMAGE gateway_api        (or orchestrator, provider_worker, webhook_ingest,
#                                        reconciliation, metrics_exporter, provider_simulator)
# Each service migrates its own database at start. Configuration and secrets come from
# the environment at run time; none are baked in.
#
# Base image: Debian bookworm's CPython 3.11, pinned by the digest of its multi-platform
# index, so a rebuild gets the same bytes until someone moves the pin on purpose. The
# digest is the one published for python:3.11.10-slim-bookworm (as recorded by a
# Renovate-maintained digest file); newer 3.11 patch releases carry security fixes, so
# move it forward with `docker buildx imagetools inspect python:3.11-slim` (or a
# Renovate/Dependabot docker rule) and rebuild.
ARG PYTHON_IMAGE=python:3.11.10-slim-bookworm@sha256:5148c0e4bbb64271bca1d3322360ebf4bfb7564507ae32dd639322e4952a6b16

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Every third-party file comes from requirements/*.lock (`make lock`), checked against its
# hash; an unpinned or unhashed package fails the build.
COPY requirements/runtime.lock requirements/build.lock ./requirements/
# The build backend gets a venv of its own: it builds the wheel and stays in this stage.
RUN python -m venv /opt/build \
    && /opt/build/bin/pip install --require-hashes -r requirements/build.lock
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --require-hashes -r requirements/runtime.lock
COPY pyproject.toml ./
COPY libs ./libs
COPY services ./services
# Payroute itself: a regular (not editable) wheel, so the packages with their migrations
# land in the venv; --no-deps because the lock already brought every dependency.
RUN /opt/build/bin/python -m pip wheel --no-build-isolation --no-deps --wheel-dir /tmp/wheels . \
    && /opt/venv/bin/pip install --no-deps /tmp/wheels/payroute-*.whl \
    && /opt/venv/bin/pip check

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 payroute \
    && useradd --system --uid 10001 --gid payroute --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin payroute \
    && install -d -o 10001 -g 10001 /var/lib/provider-simulator
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
# Numeric, so Kubernetes' runAsNonRoot can verify it (deploy/k8s uses the same ids).
USER 10001:10001
ENTRYPOINT ["python", "-m"]
