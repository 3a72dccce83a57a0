"""MemoryOutputStore: step outputs kept in this process's memory, unpickled (``execute_in_process``).

Dagster's ``execute_in_process`` passes outputs between ops in memory (its ``mem_io_manager``):
a test's op may return a value that cannot be pickled (a client, a lambda). The run lives and
dies in one call, so nothing needs to outlive it.
"""

from __future__ import annotations

from typing import Any

from berth.output_store._base import OutputStore, check_run_id, missing

__all__ = ["MemoryOutputStore"]


class MemoryOutputStore(OutputStore):
    """Outputs by (run id, step key, output name) in a dict."""

    def __init__(self) -> None:
        self.url = "memory://"
        self._values: dict[tuple[str, str, str], Any] = {}

    def store(self, run_id: str, step_key: str, output_name: str, value: Any) -> str:
        self._values[(check_run_id(run_id), step_key, output_name)] = value
        return f"{self.url}{run_id}/{step_key}/{output_name}"

    def has(self, run_id: str, step_key: str, output_name: str) -> bool:
        return (run_id, step_key, output_name) in self._values

    def load(self, run_id: str, step_key: str, output_name: str) -> Any:
        try:
            return self._values[(run_id, step_key, output_name)]
        except KeyError:
            raise missing(run_id, step_key, output_name) from None

    def mapping_keys(self, run_id: str, step_key: str, output_name: str) -> list[str]:
        prefix = f"{output_name}["
        return sorted(name[len(prefix):-1] for (run, step, name) in self._values
                      if run == run_id and step == step_key and name.startswith(prefix) and name.endswith("]"))

    def copy_output(self, from_run_id: str, to_run_id: str, step_key: str, output_name: str) -> None:
        self._values.setdefault((to_run_id, step_key, output_name), self.load(from_run_id, step_key, output_name))

    def run_outputs(self, run_id: str) -> list[str]:
        return sorted(f"{self.url}{run}/{step}/{name}" for (run, step, name) in self._values if run == run_id)

    def delete_run(self, run_id: str) -> int:
        keys = [key for key in self._values if key[0] == run_id]
        for key in keys:
            del self._values[key]
        return len(keys)
