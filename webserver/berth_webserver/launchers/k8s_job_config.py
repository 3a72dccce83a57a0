"""``K8sJobLauncherConfig``: the settings of the ``k8s_job`` run launcher, and where they come from.

The keys are those of the instance file's ``run_launcher: {module: k8s_job, config: {...}}``
(``from_mapping`` validates them, naming the key that is wrong); until the instance file reads
them, ``berth webserver --run-launcher k8s_job --k8s-…`` flags and ``BERTH_K8S_…`` environment
variables set them (``from_flags``). How the Kubernetes API is reached: ``api_host`` (a URL), else
``kubeconfig`` (a file), else the in-cluster service account when running in a pod, else the
default kubeconfig.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
from typing import Any, Mapping, Optional

__all__ = ["K8sJobLauncherConfig", "K8sLauncherConfigError", "add_k8s_flags", "RUN_LAUNCHERS"]

RUN_LAUNCHERS = ("code_server", "k8s_job")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


class K8sLauncherConfigError(ValueError):
    """A launcher setting is invalid; the message names the key."""


@dataclasses.dataclass(frozen=True)
class K8sJobLauncherConfig:
    """Where runs' Jobs go and what they carry (see ``k8s_job_spec.job_manifest``)."""

    namespace: str = "default"
    service_account_name: str = ""
    image_pull_policy: str = "IfNotPresent"
    env_secrets: tuple[str, ...] = ()  # each Secret's keys become the worker's environment (envFrom)
    labels: Mapping[str, str] = dataclasses.field(default_factory=dict)
    job_ttl_seconds_after_finished: int = 86400
    # How long a worker may take to stop after SIGTERM (the pod's grace) before its Job is deleted.
    terminate_grace_seconds: float = 10.0
    api_host: str = ""  # e.g. https://kubernetes.default.svc or http://127.0.0.1:8001 (kubectl proxy)
    kubeconfig: str = ""
    in_cluster: Optional[bool] = None  # None: when KUBERNETES_SERVICE_HOST is set

    def __post_init__(self) -> None:
        if not _DNS_LABEL.match(self.namespace):
            raise K8sLauncherConfigError(f"namespace: {self.namespace!r} is not a Kubernetes namespace name")
        if self.service_account_name and not _DNS_SUBDOMAIN.match(self.service_account_name):
            raise K8sLauncherConfigError(f"service_account_name: {self.service_account_name!r} is not a valid name")
        if self.image_pull_policy not in _PULL_POLICIES:
            raise K8sLauncherConfigError(f"image_pull_policy: {self.image_pull_policy!r} is not one of "
                                         f"{', '.join(_PULL_POLICIES)}")
        for name in self.env_secrets:
            if not isinstance(name, str) or not _DNS_SUBDOMAIN.match(name):
                raise K8sLauncherConfigError(f"env_secrets: {name!r} is not a Secret name")
        for key, value in self.labels.items():
            if not isinstance(key, str) or not _LABEL_KEY.match(key):
                raise K8sLauncherConfigError(f"labels: {key!r} is not a label key")
            if not isinstance(value, str) or not _LABEL_VALUE.match(value):
                raise K8sLauncherConfigError(f"labels.{key}: {value!r} is not a label value")
        ttl = self.job_ttl_seconds_after_finished
        if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 0:
            raise K8sLauncherConfigError("job_ttl_seconds_after_finished: must be a whole number of seconds >= 0")
        grace = self.terminate_grace_seconds
        if isinstance(grace, bool) or not isinstance(grace, (int, float)) or not 0 <= grace < 86400:
            raise K8sLauncherConfigError("terminate_grace_seconds: must be a number of seconds from 0 to 86400")
        if self.api_host and not re.match(r"^https?://[^\s/]+", self.api_host):
            raise K8sLauncherConfigError(f"api_host: {self.api_host!r} is not an http(s) URL")

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> "K8sJobLauncherConfig":
        """The instance file's ``run_launcher.config`` for ``k8s_job``; raises ``K8sLauncherConfigError``."""
        if not isinstance(config, Mapping):
            raise K8sLauncherConfigError("config: must be a mapping")
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(config) - known)
        if unknown:
            raise K8sLauncherConfigError(f"{unknown[0]}: not a k8s_job setting (known: {', '.join(sorted(known))})")
        values = dict(config)
        if "env_secrets" in values:
            secrets = values["env_secrets"]
            if not isinstance(secrets, (list, tuple)):
                raise K8sLauncherConfigError("env_secrets: must be a list of Secret names")
            values["env_secrets"] = tuple(secrets)
        if "labels" in values and not isinstance(values["labels"], Mapping):
            raise K8sLauncherConfigError("labels: must be a mapping of label keys to values")
        for key in ("namespace", "service_account_name", "image_pull_policy", "api_host", "kubeconfig"):
            if key in values and not isinstance(values[key], str):
                raise K8sLauncherConfigError(f"{key}: must be a string")
        return cls(**values)

    @classmethod
    def from_flags(cls, args: argparse.Namespace) -> "K8sJobLauncherConfig":
        """From ``add_k8s_flags``'s flags (each defaulting to its ``BERTH_K8S_…`` variable)."""
        labels: dict[str, str] = {}
        for item in args.k8s_label:
            key, sep, value = item.partition("=")
            if not sep:
                raise K8sLauncherConfigError(f"labels: {item!r} is not KEY=VALUE")
            labels[key] = value
        return cls(namespace=args.k8s_namespace, service_account_name=args.k8s_service_account,
                   image_pull_policy=args.k8s_image_pull_policy, env_secrets=tuple(args.k8s_env_secret),
                   labels=labels, job_ttl_seconds_after_finished=args.k8s_job_ttl,
                   terminate_grace_seconds=args.k8s_terminate_grace, api_host=args.k8s_api_host,
                   kubeconfig=args.k8s_kubeconfig)


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def add_k8s_flags(parser: argparse.ArgumentParser) -> None:
    """``--run-launcher`` and the ``--k8s-…`` flags (each defaults to a ``BERTH_K8S_…`` variable)."""
    env = os.environ.get
    defaults = K8sJobLauncherConfig()
    parser.add_argument("--run-launcher", choices=RUN_LAUNCHERS, default=env("BERTH_RUN_LAUNCHER") or None,
                        help="how runs get a worker: code_server (forked by the location's code server, the "
                             "default) or k8s_job (a Kubernetes Job per run); env BERTH_RUN_LAUNCHER; "
                             "overrides the instance file's run_launcher")
    group = parser.add_argument_group("k8s_job run launcher (docs/kubernetes.md)")
    group.add_argument("--k8s-namespace", default=env("BERTH_K8S_NAMESPACE", defaults.namespace),
                       help="namespace of the runs' Jobs (env BERTH_K8S_NAMESPACE; default default)")
    group.add_argument("--k8s-service-account", default=env("BERTH_K8S_SERVICE_ACCOUNT", ""),
                       help="service account of the runs' pods (env BERTH_K8S_SERVICE_ACCOUNT)")
    group.add_argument("--k8s-image-pull-policy",
                       default=env("BERTH_K8S_IMAGE_PULL_POLICY", defaults.image_pull_policy),
                       help="Always, IfNotPresent or Never (env BERTH_K8S_IMAGE_PULL_POLICY)")
    group.add_argument("--k8s-env-secret", action="append", default=_env_list("BERTH_K8S_ENV_SECRETS"),
                       metavar="SECRET", help="a Secret whose keys become the worker's environment, e.g. "
                                              "BERTH_STORAGE_URL (repeatable; env BERTH_K8S_ENV_SECRETS, "
                                              "comma-separated)")
    group.add_argument("--k8s-label", action="append", default=_env_list("BERTH_K8S_LABELS"),
                       metavar="KEY=VALUE",
                       help="a label for every Job and pod (repeatable; env BERTH_K8S_LABELS, comma-separated)")
    # String defaults: argparse converts them with ``type``, so a bad variable is a usage error.
    group.add_argument("--k8s-job-ttl", type=int,
                       default=env("BERTH_K8S_JOB_TTL_SECONDS", str(defaults.job_ttl_seconds_after_finished)),
                       metavar="SECONDS", help="ttlSecondsAfterFinished of the Jobs (env BERTH_K8S_JOB_TTL_SECONDS)")
    group.add_argument("--k8s-terminate-grace", type=float,
                       default=env("BERTH_K8S_TERMINATE_GRACE_SECONDS", str(defaults.terminate_grace_seconds)),
                       metavar="SECONDS", help="how long a terminated run's worker may take to stop before its "
                                               "Job is deleted (env BERTH_K8S_TERMINATE_GRACE_SECONDS)")
    group.add_argument("--k8s-api-host", default=env("BERTH_K8S_API_HOST", ""), metavar="URL",
                       help="the Kubernetes API (env BERTH_K8S_API_HOST; default: in-cluster, else kubeconfig)")
    group.add_argument("--k8s-kubeconfig", default=env("BERTH_K8S_KUBECONFIG", ""), metavar="FILE",
                       help="a kubeconfig file (env BERTH_K8S_KUBECONFIG)")
