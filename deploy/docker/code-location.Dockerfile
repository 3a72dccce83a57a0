# syntax=docker/dockerfile:1
# A berth code location: the `berth` library, the user's code (here the example locations) and one
# process, the gRPC code server. Build from the repository root:
#   docker build -f deploy/docker/code-location.Dockerfile \
#     --build-arg BERTH_CODE_IMAGE=REGISTRY/berth-code-location:TAG -t REGISTRY/berth-code-location:TAG .
# Your own location: `FROM berth-code-location`, COPY your package, and point -f / -m at it.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY code_server/ /src/code_server/
# grpcio and psycopg[binary] come as wheels: nothing to compile, nothing fetched beyond PyPI.
RUN /opt/venv/bin/pip install "/src/code_server[postgres]"

FROM python:3.11-slim
# The image's own name, reported by GetServerInfo so that the UI shows which build a location runs.
ARG BERTH_CODE_IMAGE=berth-code-location
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BERTH_HOME=/var/lib/berth \
    BERTH_CODE_IMAGE=${BERTH_CODE_IMAGE}
RUN groupadd --system --gid 10001 berth \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/berth --no-create-home berth \
    && mkdir -p /var/lib/berth \
    && chown 10001:10001 /var/lib/berth
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
