# syntax=docker/dockerfile:1
# A berth code location: the `berth` library, the user's code (here the example locations) and one
# process, the gRPC code server. Build from the repository root:
#   docker build -f deploy/docker/code-location.Dockerfile \
#     --build-arg BERTH_CODE_IMAGE=REGISTRY/berth-code-location:TAG -t REGISTRY/berth-code-location:TAG .
# Your own location: `FROM berth-code-location`, COPY your package, and point -f / -m at it.

# Any Debian-like image with Python 3.11+ and its venv module: python:3.11-slim, or a local Debian
# bookworm base (interpreter `python3`), as tests/deploy builds it where no registry can be reached.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/venv
COPY code_server/ /src/code_server/
# grpcio and psycopg[binary] come as wheels: nothing to compile, nothing fetched beyond PyPI.
# [s3]: fsspec and s3fs, for an object-store output store (BERTH_OUTPUT_STORE=s3://…).
RUN /opt/venv/bin/pip install "/src/code_server[postgres,s3]"

FROM ${BASE_IMAGE}
# The image's own name, reported by GetServerInfo so that the UI shows which build a location runs.
ARG BERTH_CODE_IMAGE=berth-code-location
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BERTH_HOME=/var/lib/berth \
    BERTH_CODE_IMAGE=${BERTH_CODE_IMAGE}
# BERTH_HOME is world-writable (sticky) because a tmpfs mounted on it (compose's `tmpfs:`, `--tmpfs`)
# keeps this folder's mode but is owned by root: runc copies the mode, not the owner.
RUN groupadd --system --gid 10001 berth \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/berth --no-create-home berth \
    && mkdir -p /var/lib/berth \
    && chown 10001:10001 /var/lib/berth \
    && chmod 1777 /var/lib/berth
COPY --from=build /opt/venv /opt/venv
COPY examples/ /opt/berth/examples/
COPY deploy/docker/health_check.py /opt/berth/health_check.py
WORKDIR /opt/berth
USER 10001:10001
EXPOSE 4000
# The code server handles SIGTERM: it stops taking runs, drains in-flight ones for up to
# --shutdown-grace seconds, then exits 0. It is PID 1 and waits for its own run workers.
STOPSIGNAL SIGTERM
ENTRYPOINT ["berth", "code-server", "start"]
CMD ["-f", "/opt/berth/examples/hello/definitions.py", "--location-name", "hello", "--host", "0.0.0.0", "--port", "4000", "--shutdown-grace", "60"]
