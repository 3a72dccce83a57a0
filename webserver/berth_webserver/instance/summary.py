"""The instance's settings as YAML for ``instance { info }`` (as Dagster shows its instance config).

Anyone who may read the API may read it, so it carries no secret: the storage URL without its
password, and of the auth settings only their shape.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

from .settings import InstanceConfig, TagConcurrencyLimit

__all__ = ["instance_info", "tag_limits_yaml"]


def tag_limits_yaml(limits: tuple[TagConcurrencyLimit, ...]) -> Optional[str]:
    """The tag concurrency limits in Dagster's YAML shape, or None when there are none."""
    if not limits:
        return None
    import yaml

    return str(yaml.safe_dump([limit.as_yaml_data() for limit in limits], default_flow_style=False,
                              sort_keys=True))


def instance_info(instance: InstanceConfig, storage_url: str) -> str:
    """A YAML description of what this webserver runs with."""
    import yaml

    from berth.redaction import redact_credentials

    queue = instance.run_queue
    data: dict[str, Any] = {
        "instance_file": instance.source or None,
        "storage": {"url": redact_credentials(storage_url)},
        "output_store": {"url": redact_credentials(instance.output_store_url)} if instance.output_store_url else None,
        "run_queue": None if queue is None else {
            "max_concurrent_runs": queue.max_concurrent_runs,
            "max_concurrent_runs_per_location": queue.max_concurrent_runs_per_location,
            "tag_concurrency_limits": [limit.as_yaml_data() for limit in queue.tag_concurrency_limits],
            "dequeue_interval_seconds": queue.dequeue_interval_seconds,
        },
        "run_launcher": {"module": instance.run_launcher.module},
        "run_monitoring": {key: value for key, value in dataclasses.asdict(instance.run_monitoring).items()
                           if value is not None} or None,
        "auth": None if instance.auth is None else {
            "tokens": len(instance.auth.tokens_by_hash), "trusted_proxy": instance.auth.proxy is not None},
    }
    return str(yaml.safe_dump({key: value for key, value in data.items() if value is not None},
                              default_flow_style=False, sort_keys=False))
