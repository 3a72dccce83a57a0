"""Reading and checking ``berth.yaml``: every key validated, unknown keys refused, one-line messages.

Each message names the file and the key path, says what was expected and what was given::

    berth.yaml: run_queue.max_concurrent_runs: expected a positive integer, got 'x'

A string setting may instead be ``{env: NAME}``: the value of that environment variable (for
secrets such as the storage password, so that the file itself holds none).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, TypeVar, Union
from urllib.parse import quote

from ..auth.config import AuthConfigError, load_auth_file, parse_auth_config
from ..launchers.k8s_job_config import K8sJobLauncherConfig, K8sLauncherConfigError
from .settings import (
    PER_UNIQUE_VALUE,
    InstanceConfig,
    RunLauncherConfig,
    RunMonitoringConfig,
    RunQueueConfig,
    TagConcurrencyLimit,
)

__all__ = ["InstanceConfigError", "load_instance_file", "parse_instance_config"]

T = TypeVar("T")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_LABEL = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
_DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


class InstanceConfigError(Exception):
    """``berth.yaml`` is unreadable or wrong; the message is one line naming the file and the key."""


class _Reader:
    """Checks values under one file name, building messages that name the key path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, expected: str, value: Any) -> InstanceConfigError:
        shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
        return InstanceConfigError(f"{self.source}: {where or '(top level)'}: expected {expected}, got {shown}")

    def section(self, data: Any, where: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
        """A mapping whose keys are all in ``allowed`` (None counts as empty)."""
        if data is None:
            return {}
        if not isinstance(data, Mapping):
            raise self.fail(where, f"a mapping with keys {', '.join(allowed)}", data)
        for key in data:
            if key not in allowed:
                raise InstanceConfigError(f"{self.source}: {_join(where, str(key))}: unknown key "
                                          f"(expected one of {', '.join(allowed)})")
        return data

    def string(self, value: Any, where: str) -> str:
        """A non-empty string, or ``{env: NAME}`` naming a set environment variable."""
        if isinstance(value, Mapping) and set(value) == {"env"}:
            name = value["env"]
            if not isinstance(name, str) or not name:
                raise self.fail(f"{where}.env", "the name of an environment variable", name)
            if not os.environ.get(name):
                raise InstanceConfigError(f"{self.source}: {where}: the environment variable {name} is not set")
            return os.environ[name]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "a non-empty string (or {env: NAME})", value)
        return value

    def positive_int(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(where, "a positive integer", value)
        return value

    def non_negative_int(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(where, "a non-negative integer", value)
        return value

    def seconds(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 10**7:
            raise self.fail(where, "a positive number of seconds", value)
        return float(value)

    def boolean(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, "true or false", value)
        return value

    def optional(self, data: Mapping[str, Any], key: str, where: str, check: Callable[[Any, str], T]) -> Optional[T]:
        return None if data.get(key) is None else check(data[key], _join(where, key))


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def load_instance_file(path: Union[str, Path]) -> InstanceConfig:
    """Read and check the instance file at ``path``; raises ``InstanceConfigError``."""
    import yaml

    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise InstanceConfigError(f"{source}: cannot read the instance file: {reason}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise InstanceConfigError(f"{source}: not valid YAML{where}: "
                                  f"{getattr(exc, 'problem', None) or exc}") from None
    return parse_instance_config(data, source, base_dir=Path(path).parent)


_TOP_LEVEL = ("storage", "output_store", "run_queue", "run_launcher", "run_monitoring", "auth")


def parse_instance_config(data: Any, source: str = "berth.yaml", base_dir: Optional[Path] = None) -> InstanceConfig:
    """Check decoded YAML (an empty file is every default); raises ``InstanceConfigError``."""
    reader = _Reader(source)
    top = reader.section(data, "", _TOP_LEVEL) if data is not None else {}
    auth, auth_file = _auth(reader, top.get("auth"), base_dir)
    return InstanceConfig(
        source=source,
        storage_url=_storage(reader, top.get("storage")),
        output_store_url=_output_store(reader, top.get("output_store")),
        run_queue=_run_queue(reader, top["run_queue"]) if "run_queue" in top else None,
        run_launcher=_run_launcher(reader, top.get("run_launcher")),
        run_monitoring=_run_monitoring(reader, top.get("run_monitoring")),
        auth=auth,
        auth_file=auth_file,
    )


def _storage(reader: _Reader, data: Any) -> Optional[str]:
    storage = reader.section(data, "storage", ("url", "postgres"))
    if "url" in storage and "postgres" in storage:
        raise InstanceConfigError(f"{reader.source}: storage: give url or postgres, not both")
    if "url" in storage:
        url = reader.string(storage["url"], "storage.url")
        if not url.startswith(("sqlite:", "postgresql:", "postgresql+", "postgres:")):
            raise reader.fail("storage.url", "a sqlite:/// or postgresql:// URL", _redacted(url))
        return url
    if "postgres" in storage:
        return _postgres_url(reader, storage["postgres"])
    return None


def _redacted(url: str) -> str:
    from berth.redaction import redact_credentials

    return redact_credentials(url)


def _postgres_url(reader: _Reader, data: Any) -> str:
    where = "storage.postgres"
    fields = reader.section(data, where, ("username", "password", "hostname", "port", "db_name", "params"))
    for required in ("username", "hostname", "db_name"):
        if required not in fields:
            raise InstanceConfigError(f"{reader.source}: {where}.{required}: missing (required)")
    user = quote(reader.string(fields["username"], f"{where}.username"), safe="")
    password = reader.optional(fields, "password", where, reader.string)
    host = reader.string(fields["hostname"], f"{where}.hostname")
    port = reader.optional(fields, "port", where, reader.positive_int) or 5432
    database = quote(reader.string(fields["db_name"], f"{where}.db_name"), safe="")
    params = reader.section(fields.get("params"), f"{where}.params", tuple(map(str, fields.get("params") or {})))
    query = "&".join(f"{quote(str(k), safe='')}={quote(reader.string(str(v), f'{where}.params.{k}'), safe='')}"
                     for k, v in params.items())
    credentials = user + (f":{quote(password, safe='')}" if password else "")
    return f"postgresql://{credentials}@{host}:{port}/{database}" + (f"?{query}" if query else "")


def _output_store(reader: _Reader, data: Any) -> Optional[str]:
    store = reader.section(data, "output_store", ("url",))
    return reader.optional(store, "url", "output_store", reader.string)


def _run_queue(reader: _Reader, data: Any) -> RunQueueConfig:
    where = "run_queue"
    queue = reader.section(data, where, ("max_concurrent_runs", "tag_concurrency_limits",
                                         "dequeue_interval_seconds", "max_concurrent_runs_per_location"))
    limits = queue.get("tag_concurrency_limits") or []
    if not isinstance(limits, list):
        raise reader.fail(f"{where}.tag_concurrency_limits", "a list of {key, value, limit}", limits)
    return RunQueueConfig(
        max_concurrent_runs=reader.optional(queue, "max_concurrent_runs", where, reader.positive_int),
        tag_concurrency_limits=tuple(_tag_limit(reader, item, f"{where}.tag_concurrency_limits[{number}]")
                                     for number, item in enumerate(limits)),
        dequeue_interval_seconds=reader.optional(queue, "dequeue_interval_seconds", where, reader.seconds) or 1.0,
        max_concurrent_runs_per_location=reader.optional(queue, "max_concurrent_runs_per_location", where,
                                                         reader.positive_int),
    )


def _tag_limit(reader: _Reader, data: Any, where: str) -> TagConcurrencyLimit:
    item = reader.section(data, where, ("key", "value", "limit"))
    if "key" not in item or "limit" not in item:
        raise InstanceConfigError(f"{reader.source}: {where}: needs key and limit")
    key = reader.string(item["key"], f"{where}.key")
    limit = reader.non_negative_int(item["limit"], f"{where}.limit")
    value = item.get("value")
    if isinstance(value, Mapping):
        flag = reader.section(value, f"{where}.value", ("applyLimitPerUniqueValue",))
        if reader.boolean(flag.get("applyLimitPerUniqueValue"), f"{where}.value.applyLimitPerUniqueValue"):
            return TagConcurrencyLimit(key, limit, PER_UNIQUE_VALUE)
        return TagConcurrencyLimit(key, limit)
    if value is not None and not isinstance(value, str):
        raise reader.fail(f"{where}.value", "a string or {applyLimitPerUniqueValue: true}", value)
    return TagConcurrencyLimit(key, limit, value)


_LAUNCHERS = ("code_server", "k8s_job")


def _run_launcher(reader: _Reader, data: Any) -> RunLauncherConfig:
    launcher = reader.section(data, "run_launcher", ("module", "config"))
    module = launcher.get("module", "code_server")
    if module not in _LAUNCHERS:
        raise reader.fail("run_launcher.module", " or ".join(_LAUNCHERS), module)
    if module == "code_server":
        reader.section(launcher.get("config"), "run_launcher.config", ())
        return RunLauncherConfig()
    return RunLauncherConfig(module, _k8s_job(reader, launcher.get("config")))


def _k8s_job(reader: _Reader, data: Any) -> K8sJobLauncherConfig:
    where = "run_launcher.config"
    config = reader.section(data, where, ("namespace", "service_account_name", "image_pull_policy", "env_secrets",
                                          "labels", "job_ttl_seconds_after_finished", "terminate_grace_seconds",
                                          "api_host", "kubeconfig", "in_cluster"))

    def dns_name(value: Any, at: str) -> str:
        if not isinstance(value, str) or not _DNS_NAME.match(value):
            raise reader.fail(at, "a Kubernetes name (lowercase letters, digits, '-')", value)
        return value

    def pull_policy(value: Any, at: str) -> str:
        if value not in _PULL_POLICIES:
            raise reader.fail(at, " | ".join(_PULL_POLICIES), value)
        return str(value)

    secrets = config.get("env_secrets") or []
    if not isinstance(secrets, list):
        raise reader.fail(f"{where}.env_secrets", "a list of Secret names", secrets)
    labels = reader.section(config.get("labels"), f"{where}.labels", tuple(map(str, config.get("labels") or {})))
    for key, value in labels.items():
        if not _LABEL.match(str(key)):
            raise reader.fail(f"{where}.labels", "Kubernetes label keys", key)
        if not isinstance(value, str) or not _LABEL_VALUE.match(value):
            raise reader.fail(f"{where}.labels.{key}", "a Kubernetes label value (63 characters at most)", value)
    values = {
        "namespace": reader.optional(config, "namespace", where, dns_name),
        "service_account_name": reader.optional(config, "service_account_name", where, dns_name),
        "image_pull_policy": reader.optional(config, "image_pull_policy", where, pull_policy),
        "env_secrets": tuple(dns_name(name, f"{where}.env_secrets[{n}]") for n, name in enumerate(secrets)),
        "labels": dict(labels),
        "job_ttl_seconds_after_finished": reader.optional(config, "job_ttl_seconds_after_finished", where,
                                                          reader.non_negative_int),
        "terminate_grace_seconds": reader.optional(config, "terminate_grace_seconds", where, reader.seconds),
        "api_host": reader.optional(config, "api_host", where, reader.string),
        "kubeconfig": reader.optional(config, "kubeconfig", where, reader.string),
        "in_cluster": reader.optional(config, "in_cluster", where, reader.boolean),
    }
    try:
        # The launcher's own settings class checks the rest (and fills the defaults).
        return K8sJobLauncherConfig.from_mapping({key: value for key, value in values.items() if value is not None})
    except K8sLauncherConfigError as exc:
        raise InstanceConfigError(f"{reader.source}: {where}.{exc}") from None



def _run_monitoring(reader: _Reader, data: Any) -> RunMonitoringConfig:
    where = "run_monitoring"
    monitoring = reader.section(data, where, ("enabled", "poll_interval_seconds", "start_timeout_seconds",
                                              "cancel_timeout_seconds", "unreachable_location_timeout_seconds"))
    return RunMonitoringConfig(
        enabled=reader.optional(monitoring, "enabled", where, reader.boolean),
        **{key: reader.optional(monitoring, key, where, reader.seconds)
           for key in ("poll_interval_seconds", "start_timeout_seconds", "cancel_timeout_seconds",
                       "unreachable_location_timeout_seconds")},
    )


def _auth(reader: _Reader, data: Any, base_dir: Optional[Path]) -> tuple[Any, Optional[str]]:
    """``auth: {file: PATH}`` (an auth file, relative to berth.yaml) or the auth file's keys inline."""
    if data is None:
        return None, None
    auth = reader.section(data, "auth", ("file", "tokens", "trusted_proxy"))
    try:
        if "file" in auth:
            if len(auth) > 1:
                raise InstanceConfigError(f"{reader.source}: auth: give file, or tokens/trusted_proxy, not both")
            path = Path(reader.string(auth["file"], "auth.file"))
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            return load_auth_file(path), str(path)
        return parse_auth_config(dict(auth), f"{reader.source}: auth"), None
    except AuthConfigError as exc:
        prefix = f"{reader.source}: auth.file: " if "file" in auth else ""
        raise InstanceConfigError(prefix + str(exc).replace("\n", " ")) from None
