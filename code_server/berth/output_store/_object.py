"""``ObjectOutputStore``: step outputs as objects in an object store, through fsspec.

``s3://bucket/prefix`` (s3fs), ``gs://…`` (gcsfs), ``az://…`` (adlfs), ``memory://…``: any
fsspec URL. Credentials and endpoints come from the process's environment as each backend reads
them (for S3: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_ENDPOINT_URL`` …, or an
instance role), never from the URL, so no secret travels with a run.

fsspec is imported when the store is first used, and the file system is made again in a forked
process (a multiprocess step, a worker forked by the factory): an async backend's event loop and
connections do not survive a fork.
"""

from __future__ import annotations

import os
import pickle
import posixpath
import threading
from typing import Any, Mapping, Optional

from ._base import OutputStore, check_run_id, missing

__all__ = ["ObjectOutputStore"]


class ObjectOutputStore(OutputStore):
    """Stores and loads step outputs as pickled objects under an fsspec URL."""

    def __init__(self, url: str, storage_options: Optional[Mapping[str, Any]] = None) -> None:
        self.url = url.rstrip("/")
        self._options = dict(storage_options or {})
        self._lock = threading.Lock()
        self._fs: Any = None
        self._root = ""
        self._pid = 0

    @property
    def fs(self) -> Any:
        """The fsspec file system, made on first use in this process."""
        return self._connect()[0]

    def _connect(self) -> tuple[Any, str]:
        """The file system and the store's root path in it."""
        with self._lock:
            if self._fs is None or self._pid != os.getpid():
                from fsspec.core import url_to_fs

                # Listings are read fresh: another process (a re-execution, a prune) changes them.
                self._fs, root = url_to_fs(self.url, skip_instance_cache=True, use_listings_cache=False,
                                           **self._options)
                self._root = root.rstrip("/")
                self._pid = os.getpid()
            return self._fs, self._root

    def _run_path(self, run_id: str) -> str:
        return posixpath.join(self._connect()[1], check_run_id(run_id))

    def path(self, run_id: str, step_key: str, output_name: str) -> str:
        """The object that holds one output of one step of one run."""
        return posixpath.join(self._run_path(run_id), step_key, output_name)

    def store(self, run_id: str, step_key: str, output_name: str, value: Any) -> str:
        path = self.path(run_id, step_key, output_name)
        # One PUT of the whole pickle: the object appears complete or not at all.
        self.fs.pipe_file(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        return path

    def has(self, run_id: str, step_key: str, output_name: str) -> bool:
        return bool(self.fs.exists(self.path(run_id, step_key, output_name)))

    def load(self, run_id: str, step_key: str, output_name: str) -> Any:
        try:
            data = self.fs.cat_file(self.path(run_id, step_key, output_name))
        except FileNotFoundError:
            raise missing(run_id, step_key, output_name) from None
        return pickle.loads(data)

    def mapping_keys(self, run_id: str, step_key: str, output_name: str) -> list[str]:
        try:
            paths = self.fs.ls(posixpath.join(self._run_path(run_id), step_key), detail=False)
        except FileNotFoundError:
            return []
        prefix = f"{output_name}["
        names = (posixpath.basename(path.rstrip("/")) for path in paths)
        return sorted(name[len(prefix):-1] for name in names if name.startswith(prefix) and name.endswith("]"))

    def copy_output(self, from_run_id: str, to_run_id: str, step_key: str, output_name: str) -> None:
        target = self.path(to_run_id, step_key, output_name)
        if self.fs.exists(target):
            return
        # cp_file, not copy: copy reads "[" in a dynamic output's name as a pattern. On S3 the copy
        # happens in the store, without the bytes coming here.
        self.fs.cp_file(self.path(from_run_id, step_key, output_name), target)

    def run_outputs(self, run_id: str) -> list[str]:
        # The trailing slash keeps run "abc" from listing run "abc2".
        return sorted(self.fs.find(self._run_path(run_id) + "/"))

    def delete_run(self, run_id: str) -> int:
        found = self.run_outputs(run_id)
        if found:
            try:
                self.fs.rm(self._run_path(run_id), recursive=True)
            except FileNotFoundError:  # deleted meanwhile
                pass
        return len(found)
