"""The run storages a code server writes to, opened once per URL.

A run may name its own storage URL (the webserver's); the server opens each URL on first use and
keeps it, so that marking a dead worker's run or a cancel request costs no new connection pool.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from berth.storage import RunStorage

__all__ = ["RunStorages"]

_log = logging.getLogger(__name__)


class RunStorages:
    """``RunStorage`` objects by URL, opened lazily (storage imports are not needed to serve)."""

    def __init__(self, default_url: Optional[str] = None) -> None:
        self._default_url = default_url
        self._lock = threading.Lock()
        self._opened: dict[str, RunStorage] = {}

    def resolve(self, url: str) -> str:
        """The URL to use: the given one, or the server's default when empty."""
        return url or self.default_url

    @property
    def default_url(self) -> str:
        """The server's storage: ``--storage``, else BERTH_STORAGE_URL, else under BERTH_HOME."""
        if self._default_url is None:
            from berth.storage import default_storage_url

            self._default_url = os.environ.get("BERTH_STORAGE_URL") or default_storage_url()
        return self._default_url

    def get(self, url: str) -> "RunStorage":
        """The storage at ``url`` (the default when empty), opened and migrated on first use."""
        from berth.storage import RunStorage

        url = self.resolve(url)
        with self._lock:
            storage = self._opened.get(url)
            if storage is None:
                storage = self._opened[url] = RunStorage.from_url(url)
            return storage

    def open_in_background(self, url: str) -> None:
        """Open the storage at ``url`` on a thread of its own unless it is open already."""
        with self._lock:
            if self.resolve(url) in self._opened:
                return
        threading.Thread(target=self._open_quietly, args=(url,), name="berth-open-storage", daemon=True).start()

    def _open_quietly(self, url: str) -> None:
        try:
            self.get(url)
        except Exception:  # noqa: BLE001 - opening again on first real use reports the error
            _log.warning("could not open run storage %s ahead of use", url, exc_info=True)

    def dispose(self) -> None:
        """Close every opened storage."""
        with self._lock:
            opened, self._opened = self._opened, {}
        for storage in opened.values():
            storage.dispose()
