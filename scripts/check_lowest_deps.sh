#!/usr/bin/env bash
# Installs the three packages with the LOWEST versions their dependency floors allow (uv's
# --resolution lowest-direct) into a throwaway venv, then runs the fast tests there, so that a
# floor that is not true fails CI instead of a user's install.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=.cache/lowest-deps-venv
TOOLS=.cache/uv-venv
if [ ! -x "$TOOLS/bin/uv" ]; then
  "$PYTHON" -m venv "$TOOLS"
  "$TOOLS/bin/pip" install --quiet uv
fi
rm -rf "$VENV"
"$TOOLS/bin/uv" venv --quiet --python "$PYTHON" "$VENV"
"$TOOLS/bin/uv" pip install --quiet --python "$VENV/bin/python" --resolution lowest-direct \
  -e code_server -e webserver -e client -r requirements-dev.txt
echo "lowest direct dependencies:"
"$TOOLS/bin/uv" pip list --python "$VENV/bin/python" 2>/dev/null \
  | grep -iE '^(grpcio|grpcio-health-checking|protobuf|sqlalchemy|graphene|graphql-core|starlette|uvicorn|httptools|websockets|pyyaml|httpx|alembic) ' || true
# The fast tests: no browser, no Dagster client, no PostgreSQL, no containers.
"$VENV/bin/python" -m pytest -q -x -p no:cacheprovider -m "not browser and not compat and not postgres" \
  tests/code_server tests/client tests/webserver/test_schema_launch.py tests/webserver/test_schema_runs.py \
  tests/webserver/test_http.py tests/webserver/test_websocket.py
