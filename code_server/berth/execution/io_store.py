"""The default IO store: every step output pickled to ``$BERTH_HOME/storage/<run>/<step>/<output>``.

Re-execution from failure reads the outputs of steps it does not re-run from the parent run's
directory and copies them into its own, so that a re-execution of the re-execution finds them too.
"""

from __future__ import annotations

import os
import pickle
import shutil
from typing import Any, Optional

from berth.execution.errors import MissingStepOutputError

__all__ = ["FilesystemIOStore", "berth_home"]


def berth_home() -> str:
    """``$BERTH_HOME``, by default ``~/.berth``."""
    return os.environ.get("BERTH_HOME") or os.path.join(os.path.expanduser("~"), ".berth")


class FilesystemIOStore:
    """Stores and loads step outputs as pickle files under ``base_dir``."""

    def __init__(self, base_dir: Optional[str] = None) -> None:
        self.base_dir = base_dir or os.path.join(berth_home(), "storage")

    def path(self, run_id: str, step_key: str, output_name: str) -> str:
        """Where one output of one step of one run is kept."""
        return os.path.join(self.base_dir, run_id, step_key, output_name)

    def store(self, run_id: str, step_key: str, output_name: str, value: Any) -> str:
        """Pickle ``value``; the file appears complete or not at all. Returns its path."""
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
        """True when the output is stored."""
        return os.path.exists(self.path(run_id, step_key, output_name))

    def load(self, run_id: str, step_key: str, output_name: str) -> Any:
        """Unpickle a stored output; MissingStepOutputError when it is not stored."""
        try:
            with open(self.path(run_id, step_key, output_name), "rb") as file:
                return pickle.load(file)
        except FileNotFoundError:
            raise MissingStepOutputError(f'Output "{output_name}" of step "{step_key}" is not stored for run '
                                         f"{run_id}.") from None

    def mapping_keys(self, run_id: str, step_key: str, output_name: str) -> list[str]:
        """The mapping keys stored for a dynamic output (files ``<output>[<key>]``), sorted."""
        try:
            names = os.listdir(os.path.join(self.base_dir, run_id, step_key))
        except FileNotFoundError:
            return []
        prefix = f"{output_name}["
        return sorted(name[len(prefix):-1] for name in names if name.startswith(prefix) and name.endswith("]"))

    def copy_output(self, from_run_id: str, to_run_id: str, step_key: str, output_name: str) -> None:
        """Copy a stored output from one run to another (hard link when possible)."""
        source = self.path(from_run_id, step_key, output_name)
        target = self.path(to_run_id, step_key, output_name)
        if os.path.exists(target):
            return
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
