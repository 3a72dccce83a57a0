# syntax=docker/dockerfile:1
# The berth GraphQL webserver: `berth` plus `berth-webserver`, one process. It imports no user
# code; it reads the workspace file (a ConfigMap in Kubernetes) and talks to code locations over
# gRPC. Build from the repository root:
#   docker build -f deploy/docker/webserver.Dockerfile -t REGISTRY/berth-webserver:TAG .

# Any Debian-like image with Python 3.11+ and its venv module: python:3.11-slim, or a local Debian
# bookworm base (interpreter `python3`), as tests/deploy builds it where no registry can be reached.
ARG BASE_IMAGE=python:3.11-slim
# The web UI is built with Node.js and npm from the committed lockfile (UI_SOURCE=build). Where no
# registry can be reached, UI_SOURCE=context takes the build that `make install` left in the context
# (berth_webserver/static/ui); the stage not chosen is skipped.
ARG NODE_IMAGE=node:22-slim
ARG UI_SOURCE=build

FROM ${NODE_IMAGE} AS ui-build
WORKDIR /src/webserver/ui
COPY webserver/ui/package.json webserver/ui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY webserver/ui/ ./
RUN npm run build

FROM scratch AS ui-context
COPY webserver/berth_webserver/static/ui/ /src/webserver/berth_webserver/static/ui/

FROM ui-${UI_SOURCE} AS ui

FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/venv
COPY code_server/ /src/code_server/
# The same steps as code-location.Dockerfile's build stage so far: a builder reuses those layers.
# [s3]: fsspec and s3fs, for an object-store output store (BERTH_OUTPUT_STORE=s3://…).
RUN /opt/venv/bin/pip install "/src/code_server[postgres,s3]"
COPY webserver/ /src/webserver/
COPY --from=ui /src/webserver/berth_webserver/static/ui/ /src/webserver/berth_webserver/static/ui/
# [k8s]: the Kubernetes client, for the k8s_job run launcher (deploy/k8s/overlays/k8s-run-launcher).
RUN /opt/venv/bin/pip install "/src/webserver[k8s]"

FROM ${BASE_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BERTH_HOME=/var/lib/berth
# BERTH_HOME is world-writable (sticky) because a tmpfs mounted on it (compose's `tmpfs:`, `--tmpfs`)
# keeps this folder's mode but is owned by root: runc copies the mode, not the owner.
RUN groupadd --system --gid 10001 berth \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/berth --no-create-home berth \
    && mkdir -p /var/lib/berth /etc/berth \
    && chown 10001:10001 /var/lib/berth \
    && chmod 1777 /var/lib/berth
COPY --from=build /opt/venv /opt/venv
COPY deploy/docker/health_check.py /opt/berth/health_check.py
# The default instance file (docs/instance.md); Kubernetes and compose mount their own over it.
COPY deploy/k8s/base/berth.yaml /etc/berth-instance/berth.yaml
WORKDIR /opt/berth
USER 10001:10001
EXPOSE 3000
STOPSIGNAL SIGTERM
ENTRYPOINT ["berth", "webserver"]
CMD ["-w", "/etc/berth/workspace.yaml", "--host", "0.0.0.0", "--port", "3000", "--instance", "/etc/berth-instance/berth.yaml"]
