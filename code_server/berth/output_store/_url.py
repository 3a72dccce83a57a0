"""Which output store a process uses, and opening one from its URL.

A process reads the URL from its own configuration, like its run storage URL: ``--output-store``
(which the code server and ``berth dev`` export as ``BERTH_OUTPUT_STORE`` to the processes they
start), else ``$BERTH_OUTPUT_STORE``, else ``$BERTH_HOME/storage``.
"""

from __future__ import annotations

import importlib.util
import os
import re
from typing import TYPE_CHECKING, Any, Mapping, Optional

if TYPE_CHECKING:
    from ._base import OutputStore

__all__ = ["OUTPUT_STORE_ENV", "OutputStoreConfigError", "configure_output_store", "open_output_store",
           "output_store_url"]

OUTPUT_STORE_ENV = "BERTH_OUTPUT_STORE"

# fsspec's URL scheme: letters first (a Windows drive "C:" is not one).
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]+)://")
# What each well-known scheme needs installed beside fsspec, and the extra that brings it.
_BACKENDS = {"s3": ("s3fs", "berth[s3]"), "s3a": ("s3fs", "berth[s3]"), "gs": ("gcsfs", "gcsfs"),
             "gcs": ("gcsfs", "gcsfs"), "az": ("adlfs", "adlfs"), "abfs": ("adlfs", "adlfs")}


class OutputStoreConfigError(ValueError):
    """An output store URL that cannot be used: malformed, or its backend is not installed."""


def output_store_url(explicit: Optional[str] = None) -> str:
    """``explicit``, else ``$BERTH_OUTPUT_STORE``, else the ``storage`` folder under ``$BERTH_HOME``."""
    if explicit:
        return explicit
    configured = os.environ.get(OUTPUT_STORE_ENV, "").strip()
    if configured:
        return configured
    home = os.environ.get("BERTH_HOME") or os.path.join(os.path.expanduser("~"), ".berth")
    return os.path.join(os.path.expanduser(home), "storage")


def open_output_store(url: Optional[str] = None,
                      storage_options: Optional[Mapping[str, Any]] = None) -> "OutputStore":
    """The output store at ``url`` (default: ``output_store_url()``); nothing is read or written yet.

    A path or ``file://`` URL is a local directory; any other ``scheme://`` is an fsspec store,
    with ``storage_options`` for its file system. Raises ``OutputStoreConfigError`` for a malformed
    URL or one whose backend is not installed.
    """
    url = output_store_url(url).strip()
    if "\0" in url or "\n" in url:
        raise OutputStoreConfigError(f"not an output store URL: {url!r}")
    match = _SCHEME.match(url)
    if match is None or match.group(1).lower() == "file":
        from ._local import LocalOutputStore

        path = url[len("file://"):] if match is not None else url
        if not path:
            raise OutputStoreConfigError(f"an output store URL names no directory: {url!r}")
        return LocalOutputStore(path)
    scheme = match.group(1).lower()
    if not url[match.end():].strip("/"):
        raise OutputStoreConfigError(f"an output store URL names no bucket or folder: {url!r}")
    _check_installed(scheme, url)
    from ._object import ObjectOutputStore

    return ObjectOutputStore(url, storage_options)


def _check_installed(scheme: str, url: str) -> None:
    package, extra = _BACKENDS.get(scheme, ("", ""))
    needed = ["fsspec"] + ([package] if package else [])
    absent = [name for name in needed if importlib.util.find_spec(name) is None]
    if absent:
        raise OutputStoreConfigError(f"the output store {url} needs {' and '.join(absent)}: "
                                     f"pip install '{extra or 'berth[s3]'}'")
    if not package:
        from fsspec.registry import known_implementations, registry

        if scheme not in known_implementations and scheme not in registry:
            raise OutputStoreConfigError(f"the output store {url} uses {scheme}://, which fsspec does not know")


def configure_output_store(url: Optional[str]) -> "OutputStore":
    """The process's output store: ``url`` (checked) when given, exported as ``$BERTH_OUTPUT_STORE`` so
    that the processes this one starts (run workers, supervised code servers) use it too; else the
    default. Raises ``OutputStoreConfigError``. For a command's ``--output-store`` (or an instance file).
    """
    store = open_output_store(url)
    if url:
        os.environ[OUTPUT_STORE_ENV] = url
    return store
