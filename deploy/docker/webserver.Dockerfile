# syntax=docker/dockerfile:1
# The berth GraphQL webserver: `berth` plus `berth-webserver`, one process. It imports no user
# code; it reads the workspace file (a ConfigMap in Kubernetes) and talks to code locations over
# gRPC. Build from the repository root:
#   docker build -f deploy/docker/webserver.Dockerfile -t REGISTRY/berth-webserver:TAG .

# The web UI: built with Node.js and npm from the committed lockfile into berth_webserver/static/ui.
FROM node:22-slim AS ui
WORKDIR /src/webserver/ui
COPY webserver/ui/package.json webserver/ui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY webserver/ui/ ./
RUN npm run build

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY code_server/ /src/code_server/
COPY webserver/ /src/webserver/
COPY --from=ui /src/webserver/berth_webserver/static/ui/ /src/webserver/berth_webserver/static/ui/
RUN /opt/venv/bin/pip install "/src/code_server[postgres]" /src/webserver

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BERTH_HOME=/var/lib/berth
RUN groupadd --system --gid 10001 berth \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/berth --no-create-home berth \
    && mkdir -p /var/lib/berth /etc/berth \
    && chown 10001:10001 /var/lib/berth
COPY --from=build /opt/venv /opt/venv
COPY deploy/docker/health_check.py /opt/berth/health_check.py
WORKDIR /opt/berth
USER 10001:10001
EXPOSE 3000
STOPSIGNAL SIGTERM
ENTRYPOINT ["berth", "webserver"]
CMD ["-w", "/etc/berth/workspace.yaml", "--host", "0.0.0.0", "--port", "3000"]
