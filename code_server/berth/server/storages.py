"""The run storage a code server writes to: its own, opened on first use.

A code server writes to the storage it was started with (``--storage``, else
``BERTH_STORAGE_URL``, else SQLite under ``BERTH_HOME``) and to no other: callers never name a
database, so no credentials travel in run requests. Opening waits for the first need, since
serving snapshots needs no storage (and SQLAlchemy costs ~15 MiB).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from berth.storage import RunStorage

__all__ = ["ServerStorage"]

_log = logging.getLogger(__name__)


class ServerStorage:
    """The code server's ``RunStorage``, opened lazily and kept."""

    def __init__(self, url: Optional[str] = None) -> None:
        self._url = url
        self._lock = threading.Lock()
        self._storage: Optional[RunStorage] = None

    @property
    def url(self) -> str:
        """``--storage``, else BERTH_STORAGE_URL, else SQLite under BERTH_HOME."""
        if self._url is None:
            from berth.storage import default_storage_url

            self._url = os.environ.get("BERTH_STORAGE_URL") or default_storage_url()
        return self._url

    def get(self) -> "RunStorage":
        """The storage, opened and migrated on first use."""
        from berth.storage import RunStorage

        with self._lock:
            if self._storage is None:
                self._storage = RunStorage.from_url(self.url)
            return self._storage

    def open_in_background(self) -> None:
        """Open the storage on a thread of its own unless it is open already."""
        with self._lock:
            if self._storage is not None:
                return
        threading.Thread(target=self._open_quietly, name="berth-open-storage", daemon=True).start()

    def _open_quietly(self) -> None:
        try:
            self.get()
        except Exception:  # noqa: BLE001 - opening again on first real use reports the error
            _log.warning("could not open run storage ahead of use", exc_info=True)

    def dispose(self) -> None:
        """Close the storage if it was opened."""
        with self._lock:
            storage, self._storage = self._storage, None
        if storage is not None:
            storage.dispose()
