"""Runs every case of the Dagster job corpus on real Dagster and writes what happened as JSON.

Usage: python run_dagster_corpus.py CORPUS_DIR OUTPUT_JSON

Each corpus file defines jobs and ``CASES = [{"job": name, "run_config": {...}}, ...]``. An
in-process case runs with ``execute_in_process``; a case whose run config chooses the multiprocess
executor runs with ``execute_job`` on a reconstructable job and a temporary instance. For each case
the script records: the run's success, every step's final status, the repr of every output value,
the user log lines (step key, level, message) and, for invalid run config, each error's reason and
path. Runs only in the compat venv (it imports dagster).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import pickle
import re
import sys
import tempfile
import traceback
import warnings
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore")

import dagster  # noqa: E402
from dagster import DagsterInstance, DagsterInvalidConfigError  # noqa: E402
from dagster._core.definitions.reconstruct import ReconstructableJob  # noqa: E402
from dagster._core.test_utils import instance_for_test  # noqa: E402

_FINAL_STEP_EVENTS = {"STEP_SUCCESS": "SUCCESS", "STEP_FAILURE": "FAILURE", "STEP_SKIPPED": "SKIPPED"}
# Dagster's own log lines (not the ops'): left out of the comparison of log messages.
_FRAMEWORK_LOG = re.compile(r"^(Dependencies for step |Writing file at|Loading file from|Skipping step )")
# Dagster does not execute a step whose upstream failed and says so in a log line, without a step
# event; berth records such a step as skipped. Both mean "did not run", compared as SKIPPED.
_NOT_EXECUTING = re.compile(r"^Dependencies for step (\S+) failed: .* Not executing\.$")
_DEFAULT_IO_MANAGERS = {"default_job_io_manager", "mem_io_manager", "fs_io_manager"}


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _job(module: Any, name: str) -> Any:
    for value in vars(module).values():
        if isinstance(value, dagster.Definitions):
            return value.resolve_job_def(name)
    return getattr(module, name)


def _path(stack: Any) -> list[str]:
    parts = []
    for entry in stack.entries:
        for attribute in ("field_name", "list_index", "map_key"):
            if hasattr(entry, attribute):
                parts.append(str(getattr(entry, attribute)))
                break
    return parts


def _metadata_value(value: Any) -> Any:
    """[entry kind, value]: the kind as GraphQL names its entry (MarkdownMetadataValue -> "Markdown")."""
    raw = getattr(value, "value", value)
    kind = type(value).__name__.replace("MetadataValue", "")
    return [kind, raw if isinstance(raw, (int, float, str, bool, type(None))) else str(raw)]


def _record(result: Any, instance: Any, job: Any, storage: Path | None = None) -> dict[str, Any]:
    steps: dict[str, str] = {}
    outputs: dict[str, str] = {}
    metadata: dict[str, dict[str, Any]] = {}
    custom_io: set[str] = set()
    logs = []
    for entry in instance.all_logs(result.run_id):
        event = entry.dagster_event
        if event is None:
            skipped = _NOT_EXECUTING.match(entry.user_message or "")
            if skipped:
                steps[skipped.group(1)] = "SKIPPED"
            if not _FRAMEWORK_LOG.match(entry.user_message or ""):
                logs.append([entry.step_key, logging.getLevelName(entry.level), entry.user_message])
            continue
        if event.event_type_value in _FINAL_STEP_EVENTS:
            steps[event.step_key] = _FINAL_STEP_EVENTS[event.event_type_value]
        if event.event_type_value in ("STEP_OUTPUT", "HANDLED_OUTPUT"):
            handle = event.event_specific_data.step_output_handle if event.event_type_value == "STEP_OUTPUT" else None
            output_name = handle.output_name if handle else event.event_specific_data.output_name
            outputs_key = f"{event.step_key}/{output_name}"
            mapping_key = handle.mapping_key if handle else None
            if mapping_key and "[" not in event.step_key:
                outputs_key += f"[{mapping_key}]"
            if handle is not None:
                outputs[outputs_key] = ""
                entries = {label: _metadata_value(value) for label, value in event.event_specific_data.metadata.items()}
                if entries:
                    metadata[outputs_key] = entries
            else:
                manager = job.resource_defs.get(event.event_specific_data.manager_key)
                if getattr(getattr(manager, "resource_fn", None), "__name__", "") not in _DEFAULT_IO_MANAGERS:
                    custom_io.add(f"{event.step_key}/{output_name}")
    for key in list(outputs):
        if key.split("[")[0] in custom_io or key in custom_io:
            outputs[key] = "<kept by an IO manager>"
            continue
        step_key, output_name = key.split("/", 1)
        node = step_key.split("[")[0]
        mapping_key = (step_key.split("[")[1][:-1] if "[" in step_key
                       else output_name.split("[")[1][:-1] if "[" in output_name else None)
        if storage is not None:
            path = storage / result.run_id / step_key / output_name.split("[")[0]
            path = path / mapping_key if "[" in output_name else path
            outputs[key] = repr(pickle.loads(path.read_bytes())) if path.exists() else "<not stored>"
            continue
        try:
            value = result.output_for_node(node, output_name.split("[")[0])
        except Exception as exc:  # noqa: BLE001 - e.g. a custom IO manager that cannot load here
            outputs[key] = f"<unavailable: {type(exc).__name__}>"
            continue
        outputs[key] = repr(value[mapping_key] if mapping_key is not None else value)
    return {"success": result.success, "steps": steps, "outputs": outputs, "logs": sorted(logs, key=str),
            "metadata": metadata}


def _run_case(path: Path, module: Any, case: dict[str, Any]) -> dict[str, Any]:
    run_config = case.get("run_config", {})
    job = _job(module, case["job"])
    try:
        if "multiprocess" in (run_config.get("execution", {}).get("config", {})):
            with instance_for_test() as instance:
                recon = ReconstructableJob.for_file(str(path), case["job"])
                result = dagster.execute_job(recon, instance, run_config=run_config)
                try:
                    with result:
                        return _record(result, instance, job)
                except dagster.DagsterResourceFunctionError:
                    # Reading outputs through the result sets the job's resources up again, which fails
                    # here: read them from the filesystem IO manager's files instead.
                    return _record(result, instance, job, Path(instance.storage_directory()))
        instance = DagsterInstance.ephemeral()
        result = job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False)
        return _record(result, instance, job)
    except DagsterInvalidConfigError as exc:
        return {"config_errors": sorted([error.reason.value, _path(error.stack)] for error in exc.errors)}


def main() -> None:
    corpus, output = Path(sys.argv[1]), Path(sys.argv[2])
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory():
        for path in sorted(corpus.glob("*.py")):
            module = _load(path)
            for index, case in enumerate(module.CASES):
                key = f"{path.stem}:{index}:{case['job']}"
                try:
                    results[key] = _run_case(path, module, case)
                except Exception:  # noqa: BLE001 - recorded so that the test shows it
                    results[key] = {"harness_error": traceback.format_exc()}
    output.write_text(json.dumps(results, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
