"""The Kubernetes Job (batch/v1) that runs one berth run, as a plain manifest.

Pure functions: the launcher (``k8s_job``) sends what ``job_manifest`` builds. A run's
``berth/k8s_config`` tag (the shape of dagster-k8s's ``dagster-k8s/config``, which is accepted
too) adjusts it::

    {"container_config": {"resources": {"limits": {"memory": "2Gi"}}},
     "pod_spec_config": {"node_selector": {"pool": "batch"}},
     "pod_template_spec_metadata": {"annotations": {...}},
     "job_spec_config": {"active_deadline_seconds": 3600},
     "job_metadata": {"annotations": {...}}}

Keys may be snake_case (as dagster-k8s writes them) or camelCase (as Kubernetes does). Maps merge
deeply, lists are appended to (``env``, ``volumes``), other values replace berth's. The labels
that identify a run (``berth/run-id``, …), the container's command, ``restartPolicy`` and
``backoffLimit`` are berth's and cannot be overridden: the launcher finds, stops and checks its
Jobs by them.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

if TYPE_CHECKING:
    from berth.runs import RunRecord

    from .k8s_job_config import K8sJobLauncherConfig

__all__ = ["K8S_CONFIG_TAG", "DAGSTER_K8S_CONFIG_TAG", "K8sConfigTagError", "RUN_ID_LABEL", "JOB_LABEL",
           "LOCATION_LABEL", "CONTAINER_NAME", "job_name_for", "job_manifest", "label_value", "run_selector",
           "read_k8s_config_tag"]

K8S_CONFIG_TAG = "berth/k8s_config"
DAGSTER_K8S_CONFIG_TAG = "dagster-k8s/config"
RUN_ID_LABEL = "berth/run-id"
JOB_LABEL = "berth/job"
LOCATION_LABEL = "berth/location"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
CONTAINER_NAME = "berth-run-worker"

_SECTIONS = ("container_config", "pod_spec_config", "pod_template_spec_metadata", "job_spec_config",
             "job_metadata")
# Maps whose keys are data (label names, resource names), never field names: kept as written.
_FREE_FORM_KEYS = frozenset({"labels", "annotations", "nodeSelector", "limits", "requests", "data",
                             "matchLabels", "claims"})
_LABEL_VALUE_MAX = 63


class K8sConfigTagError(ValueError):
    """The run's ``berth/k8s_config`` tag is not JSON of the documented shape; says what is wrong."""


def job_name_for(run_id: str) -> str:
    """The Job's name: ``berth-run-`` and the run id, as a DNS label (its pods' ``job-name`` label)."""
    name = re.sub(r"[^a-z0-9-]", "-", f"berth-run-{run_id}".lower())[:_LABEL_VALUE_MAX]
    return name.rstrip("-")


def label_value(text: str) -> str:
    """``text`` as a valid label value: allowed characters only, 63 at most, alphanumeric ends."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "-", text)[:_LABEL_VALUE_MAX]
    return re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", cleaned)


def run_selector(run_id: str) -> str:
    """The label selector of the Job and pods of one run."""
    return f"{RUN_ID_LABEL}={label_value(run_id)}"


def _run_labels(run: "RunRecord", extra: Mapping[str, str]) -> dict[str, str]:
    return {**extra, MANAGED_BY_LABEL: "berth", RUN_ID_LABEL: label_value(run.run_id),
            JOB_LABEL: label_value(run.job_name), LOCATION_LABEL: label_value(run.location_name)}


def job_manifest(run: "RunRecord", *, image: str, worker_args: Sequence[str],
                 config: "K8sJobLauncherConfig") -> dict[str, Any]:
    """The Job for ``run``: its container runs ``berth run-worker`` with ``worker_args`` in ``image``.

    Raises ``K8sConfigTagError`` for a malformed ``berth/k8s_config`` tag.
    """
    overrides = read_k8s_config_tag(run.tags)
    labels = _run_labels(run, config.labels)
    container: dict[str, Any] = {
        "name": CONTAINER_NAME, "image": image, "imagePullPolicy": config.image_pull_policy,
        "env": [{"name": "BERTH_RUN_ID", "value": run.run_id}],
    }
    if config.env_secrets:
        container["envFrom"] = [{"secretRef": {"name": name}} for name in config.env_secrets]
    pod_spec: dict[str, Any] = {
        "restartPolicy": "Never",
        # The pod's grace is the run's terminate grace: kubelet sends SIGTERM (the worker cancels
        # the run) and SIGKILLs what is left when it is over.
        "terminationGracePeriodSeconds": math.ceil(config.terminate_grace_seconds),
    }
    if config.service_account_name:
        pod_spec["serviceAccountName"] = config.service_account_name
    job_spec: dict[str, Any] = {"ttlSecondsAfterFinished": config.job_ttl_seconds_after_finished}
    template_metadata: dict[str, Any] = {}
    job_metadata: dict[str, Any] = {"annotations": {"berth/run-id": run.run_id}}

    _merge(container, overrides.get("container_config", {}))
    _merge(pod_spec, overrides.get("pod_spec_config", {}))
    _merge(template_metadata, overrides.get("pod_template_spec_metadata", {}))
    _merge(job_spec, overrides.get("job_spec_config", {}))
    _merge(job_metadata, overrides.get("job_metadata", {}))

    # berth's own: what finds, runs and stops the run.
    container["name"] = CONTAINER_NAME
    container["command"] = ["berth", "run-worker", "--run-id", run.run_id, *worker_args]
    container.pop("args", None)
    pod_spec["restartPolicy"] = "Never"
    pod_spec["containers"] = [container, *pod_spec.get("containers", [])]
    template_metadata["labels"] = {**template_metadata.get("labels", {}), **labels}
    job_metadata.update(name=job_name_for(run.run_id), namespace=config.namespace,
                        labels={**job_metadata.get("labels", {}), **labels})
    job_spec.update(backoffLimit=0, template={"metadata": template_metadata, "spec": pod_spec})
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": job_metadata, "spec": job_spec}


def read_k8s_config_tag(tags: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The sections of the run's k8s config tag, keys in camelCase; {} without the tag."""
    raw: Optional[str] = tags.get(K8S_CONFIG_TAG, tags.get(DAGSTER_K8S_CONFIG_TAG))
    if raw is None:
        return {}
    name = K8S_CONFIG_TAG if K8S_CONFIG_TAG in tags else DAGSTER_K8S_CONFIG_TAG
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise K8sConfigTagError(f"the tag {name} is not JSON: {exc}") from None
    except RecursionError:
        raise K8sConfigTagError(f"the tag {name} is nested too deeply") from None
    if not isinstance(value, dict):
        raise K8sConfigTagError(f"the tag {name} must be a JSON object with the keys {', '.join(_SECTIONS)}")
    unknown = sorted(set(value) - set(_SECTIONS))
    if unknown:
        raise K8sConfigTagError(f"the tag {name} has unknown keys {', '.join(unknown)}; "
                                f"it may have {', '.join(_SECTIONS)}")
    sections: dict[str, dict[str, Any]] = {}
    for section, content in value.items():
        if not isinstance(content, dict):
            raise K8sConfigTagError(f"the tag {name}: {section} must be an object")
        try:
            sections[section] = _camel_keys(content)
        except RecursionError:
            raise K8sConfigTagError(f"the tag {name}: {section} is nested too deeply") from None
    return sections


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _camel_keys(value: Any, free_form: bool = False) -> Any:
    if isinstance(value, dict):
        return {(key if free_form else _camel(str(key))):
                _camel_keys(item, not free_form and _camel(str(key)) in _FREE_FORM_KEYS)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_camel_keys(item) for item in value]
    return value


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> None:
    """Deep merge in place: maps merge, lists append, anything else replaces."""
    for key, value in override.items():
        current = base.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            base[key] = current + value
        else:
            base[key] = value
