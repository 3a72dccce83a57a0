"""``LocalOutputStore``: step outputs as pickle files in a local directory.

The default for ``berth dev`` (``$BERTH_HOME/storage``). A re-execution's copy of a parent output
is a hard link when the file system allows it.
"""

from __future__ import annotations

import os
import pickle
import shutil
from typing import Any

from ._base import OutputStore, check_run_id, missing

__all__ = ["LocalOutputStore"]


class LocalOutputStore(OutputStore):
    """Stores and loads step outputs as pickle files under ``base_dir``."""

    def __init__(self, base_dir: str) -> None:
        self.base_dir = os.path.abspath(os.path.expanduser(base_dir))
        self.url = self.base_dir

    def path(self, run_id: str, step_key: str, output_name: str) -> str:
        """Where one output of one step of one run is kept."""
        return os.path.join(self.base_dir, check_run_id(run_id), step_key, output_name)

    def store(self, run_id: str, step_key: str, output_name: str, value: Any) -> str:
        path = self.path(run_id, step_key, output_name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        try:
            with open(temporary, "wb") as file:
                pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        return path

    def has(self, run_id: str, step_key: str, output_name: str) -> bool:
        return os.path.exists(self.path(run_id, step_key, output_name))

    def load(self, run_id: str, step_key: str, output_name: str) -> Any:
        try:
            with open(self.path(run_id, step_key, output_name), "rb") as file:
                return pickle.load(file)
        except FileNotFoundError:
            raise missing(run_id, step_key, output_name) from None

    def mapping_keys(self, run_id: str, step_key: str, output_name: str) -> list[str]:
        try:
            names = os.listdir(os.path.join(self.base_dir, check_run_id(run_id), step_key))
        except FileNotFoundError:
            return []
        prefix = f"{output_name}["
        return sorted(name[len(prefix):-1] for name in names if name.startswith(prefix) and name.endswith("]"))

    def copy_output(self, from_run_id: str, to_run_id: str, step_key: str, output_name: str) -> None:
        source = self.path(from_run_id, step_key, output_name)
        target = self.path(to_run_id, step_key, output_name)
        if os.path.exists(target):
            return
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)

    def run_outputs(self, run_id: str) -> list[str]:
        folder = os.path.join(self.base_dir, check_run_id(run_id))
        found: list[str] = []
        for directory, _folders, files in os.walk(folder):
            found.extend(os.path.join(directory, name) for name in files)
        return sorted(found)

    def delete_run(self, run_id: str) -> int:
        count = len(self.run_outputs(run_id))
        try:
            shutil.rmtree(os.path.join(self.base_dir, check_run_id(run_id)))
        except FileNotFoundError:  # a run that stored nothing has no folder
            pass
        return count
