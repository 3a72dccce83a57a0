"""The few Kubernetes API calls the ``k8s_job`` launcher makes, through the official client.

The ``kubernetes`` package (``pip install 'berth-webserver[k8s]'``) is imported only when a client
is made. Answers are read as plain JSON (``_preload_content=False``), the same with every client
version; every failure is one ``KubernetesApiError`` with the API's own message and HTTP status
(0: the API could not be reached).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Optional

from ..launcher import LaunchError
from .k8s_job_config import K8sJobLauncherConfig, K8sLauncherConfigError

__all__ = ["KubernetesApi", "KubernetesApiError", "kubernetes_api"]


class KubernetesApiError(Exception):
    """The Kubernetes API refused a call or could not be reached; ``status`` 0 when unreachable."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class KubernetesApi:
    """The few Kubernetes calls the launcher makes, on plain JSON, with one error type."""

    def __init__(self, api_client: Any) -> None:
        from kubernetes import client

        self.api_client = api_client
        self._batch = client.BatchV1Api(api_client)
        self._core = client.CoreV1Api(api_client)

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        from kubernetes.client.exceptions import ApiException

        try:
            response = method(*args, _preload_content=False, _request_timeout=30, **kwargs)
        except ApiException as exc:
            raise KubernetesApiError(exc.status or 0, _api_message(exc)) from None
        except ValueError as exc:  # the client checks the body against its models before sending it
            raise KubernetesApiError(422, f"the Kubernetes client refused it as invalid: {_invalid(exc)}") from None
        except Exception as exc:  # noqa: BLE001 - urllib3's connection errors: the API is unreachable
            raise KubernetesApiError(0, f"the Kubernetes API could not be reached ({type(exc).__name__}: "
                                        f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
        return json.loads(response.data or b"{}")

    def create_job(self, namespace: str, manifest: dict[str, Any]) -> Any:
        """POST the Job."""
        return self._call(self._batch.create_namespaced_job, namespace, manifest)

    def read_job(self, namespace: str, name: str) -> Optional[Any]:
        """The Job, or None when there is none."""
        try:
            return self._call(self._batch.read_namespaced_job, name, namespace)
        except KubernetesApiError as exc:
            if exc.status == 404:
                return None
            raise

    def list_jobs(self, namespace: str, selector: str) -> list[Any]:
        """The Jobs the label selector selects."""
        return list(self._call(self._batch.list_namespaced_job, namespace, label_selector=selector)["items"])

    def list_pods(self, namespace: str, selector: str) -> list[Any]:
        """The pods the label selector selects."""
        return list(self._call(self._core.list_namespaced_pod, namespace, label_selector=selector)["items"])

    def delete_pod(self, namespace: str, name: str, grace_seconds: int) -> None:
        """Delete a pod: its containers get SIGTERM, then SIGKILL after ``grace_seconds``."""
        self._ignoring_missing(self._core.delete_namespaced_pod, name, namespace, grace_period_seconds=grace_seconds)

    def delete_job(self, namespace: str, name: str) -> None:
        """Delete a Job and (foreground propagation) its pods first."""
        self._ignoring_missing(self._batch.delete_namespaced_job, name, namespace, propagation_policy="Foreground")

    def _ignoring_missing(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            self._call(method, *args, **kwargs)
        except KubernetesApiError as exc:
            if exc.status != 404:
                raise


def _invalid(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):  # pydantic's ValidationError: where and what, per error
        return "; ".join(f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg')}"
                         for error in errors()[:5])
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _api_message(exc: Any) -> str:
    try:
        body = json.loads(exc.body)
        return str(body.get("message") or exc.reason)
    except (TypeError, ValueError, AttributeError):
        return str(exc.reason or exc)


def kubernetes_api(config: K8sJobLauncherConfig) -> KubernetesApi:
    """A client for the API ``config`` names: ``api_host``, ``kubeconfig``, in-cluster, or the default kubeconfig."""
    import os

    try:
        from kubernetes import client
        from kubernetes import config as kube_config_module
    except ImportError:
        raise LaunchError("the k8s_job run launcher needs the kubernetes client: "
                          "pip install 'berth-webserver[k8s]'") from None
    kube_config: Any = kube_config_module  # its loaders carry no type hints
    configuration = client.Configuration()
    try:
        if config.api_host:
            configuration.host = config.api_host.rstrip("/")
        elif config.kubeconfig:
            kube_config.load_kube_config(config_file=config.kubeconfig, client_configuration=configuration)
        elif config.in_cluster or (config.in_cluster is None and os.environ.get("KUBERNETES_SERVICE_HOST")):
            kube_config.load_incluster_config(client_configuration=configuration)
        else:
            kube_config.load_kube_config(client_configuration=configuration)
    except (kube_config.ConfigException, OSError) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise K8sLauncherConfigError(
            "no Kubernetes API to reach: run in a cluster, or set api_host or kubeconfig "
            f"(--k8s-api-host / --k8s-kubeconfig) ({detail})") from None
    return KubernetesApi(client.ApiClient(configuration))
