"""The stand-in's HTTP API: Kubernetes paths and answers, on ``http.server``.

Errors are Kubernetes ``Status`` objects with the code the real API server would answer; a Job
that does not validate against the Kubernetes schema (``kubernetes-validate``, strict: unknown
fields too) is refused with 422 ``Invalid``, and never stored.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

import kubernetes_validate

from .cluster import ApiError, Cluster
from .labels import SelectorError

__all__ = ["KUBERNETES_VERSION", "StandinServer"]

KUBERNETES_VERSION = kubernetes_validate.latest_version()
_NS = r"/namespaces/(?P<ns>[a-z0-9-]+)"
_NAME = r"(?P<name>[A-Za-z0-9.-]+)"


def validate_job(body: Any) -> None:
    """Raise 422 unless ``body`` is a valid batch/v1 Job of the Kubernetes schema."""
    if not isinstance(body, dict) or body.get("kind") != "Job" or body.get("apiVersion") != "batch/v1":
        raise ApiError(400, "BadRequest", "the body must be a batch/v1 Job")
    try:
        kubernetes_validate.validate(body, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        path = ".".join(str(part) for part in exc.path) or "(root)"
        raise ApiError(422, "Invalid", f"Job.batch is invalid: {path}: {exc.message}") from None


class StandinServer(ThreadingHTTPServer):
    """The HTTP server, holding the cluster."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], cluster: Cluster) -> None:
        super().__init__(address, _Handler)
        self.cluster = cluster


class _Handler(BaseHTTPRequestHandler):
    server: StandinServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        c = self.server.cluster
        return [
            ("POST", rf"/apis/batch/v1{_NS}/jobs", lambda ns, body, q: c.create_job(ns, _validated(body))),
            ("GET", rf"/apis/batch/v1{_NS}/jobs", lambda ns, body, q: _list("JobList", "batch/v1",
                                                                            c.list_jobs(ns, q.get("labelSelector", "")))),
            ("GET", rf"/apis/batch/v1{_NS}/jobs/{_NAME}", lambda ns, name, body, q: c.get_job(ns, name)),
            ("DELETE", rf"/apis/batch/v1{_NS}/jobs/{_NAME}",
             lambda ns, name, body, q: _status_ok(c.delete_job(ns, name, _propagation(body, q)))),
            ("GET", rf"/api/v1{_NS}/pods", lambda ns, body, q: _list("PodList", "v1",
                                                                     c.list_pods(ns, q.get("labelSelector", "")))),
            ("GET", rf"/api/v1{_NS}/pods/{_NAME}", lambda ns, name, body, q: c.get_pod(ns, name)),
            ("GET", rf"/api/v1{_NS}/pods/{_NAME}/log", lambda ns, name, body, q: c.pod_log(ns, name)),
            ("DELETE", rf"/api/v1{_NS}/pods/{_NAME}",
             lambda ns, name, body, q: c.delete_pod(ns, name, _grace(body, q))),
            ("POST", rf"/api/v1{_NS}/secrets", lambda ns, body, q: c.create_secret(ns, body)),
            ("GET", rf"/api/v1{_NS}/secrets/{_NAME}", lambda ns, name, body, q: c.get_secret(ns, name)),
            ("POST", rf"/standin/v1{_NS}/pods/{_NAME}/fault",
             lambda ns, name, body, q: c.inject_fault(ns, name, str((body or {}).get("fault")))),
            ("POST", r"/standin/v1/unpullable-images", lambda body, q: _set_unpullable(c, body)),
            ("GET", r"/standin/v1/created-jobs", lambda body, q: {"items": list(c.created_jobs)}),
            ("GET", r"/standin/v1/running-processes", lambda body, q: {"pids": c.running_processes()}),
        ]

    def _dispatch(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        try:
            body = self._body()
            for route_method, pattern, handler in self._routes():
                match = re.fullmatch(pattern, url.path)
                if match and route_method == method:
                    result = handler(*match.groups(), body, query)
                    self._answer(201 if method == "POST" else 200, result)
                    return
            raise ApiError(404, "NotFound", f"the server could not find the requested resource ({method} {url.path})")
        except ApiError as exc:
            self._answer(exc.code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                    "message": exc.message, "reason": exc.reason, "code": exc.code})
        except (SelectorError, ValueError) as exc:
            self._answer(400, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                               "message": str(exc), "reason": "BadRequest", "code": 400})

    def _body(self) -> Optional[Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return None
        return json.loads(self.rfile.read(length))

    def _answer(self, code: int, result: Any) -> None:
        if isinstance(result, bytes):
            data, content_type = result, "text/plain"
        else:
            data, content_type = json.dumps(result).encode(), "application/json"
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _validated(body: Any) -> Any:
    validate_job(body)
    return body


def _list(kind: str, api_version: str, items: list[Any]) -> dict[str, Any]:
    return {"kind": kind, "apiVersion": api_version, "metadata": {"resourceVersion": "1"}, "items": items}


def _status_ok(obj: Any) -> Any:
    return obj


def _propagation(body: Optional[Any], query: dict[str, str]) -> str:
    policy = (body or {}).get("propagationPolicy") or query.get("propagationPolicy") or "Background"
    if policy not in ("Foreground", "Background", "Orphan"):
        raise ApiError(400, "BadRequest", f"unknown propagationPolicy {policy!r}")
    return str(policy)


def _grace(body: Optional[Any], query: dict[str, str]) -> Optional[int]:
    value = (body or {}).get("gracePeriodSeconds", query.get("gracePeriodSeconds"))
    return None if value is None else int(value)


def _set_unpullable(cluster: Cluster, body: Any) -> dict[str, Any]:
    with cluster.lock:
        cluster.unpullable_images = set((body or {}).get("images") or [])
        return {"images": sorted(cluster.unpullable_images)}
