"""The output store: a local directory, and an fsspec store (fsspec's real in-memory file system here;
S3 through moto's server is in tests/e2e/test_output_store_s3.py), behind one interface."""

from __future__ import annotations

import pathlib
import uuid
from typing import Any, Iterator

import pytest

from berth import Out, job, op
from berth.execution.engine import RunOutcome, execute_job
from berth.execution.errors import MissingStepOutputError
from berth.output_store import (
    LocalOutputStore,
    ObjectOutputStore,
    OutputStore,
    OutputStoreConfigError,
    open_output_store,
    output_store_url,
)


@pytest.fixture(params=["local", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[OutputStore]:
    if request.param == "local":
        yield open_output_store(str(tmp_path / "outputs"))
        return
    url = f"memory://berth-tests-{uuid.uuid4().hex}/outputs"
    opened = open_output_store(url)
    yield opened
    import fsspec

    fs = fsspec.filesystem("memory")
    if fs.exists(url):
        fs.rm(url, recursive=True)


def test_a_stored_output_loads_back(store: OutputStore) -> None:
    store.store("run-1", "shout", "result", {"rows": [1, 2, 3]})
    assert store.has("run-1", "shout", "result") and not store.has("run-1", "shout", "other")
    assert store.load("run-1", "shout", "result") == {"rows": [1, 2, 3]}


def test_a_missing_output_is_a_missing_step_output_error(store: OutputStore) -> None:
    with pytest.raises(MissingStepOutputError, match='Output "result" of step "shout" is not stored for run r'):
        store.load("r", "shout", "result")


def test_dynamic_outputs_list_their_mapping_keys(store: OutputStore) -> None:
    for key in ("b", "a", "c"):
        store.store("run-1", "fan_out", f"result[{key}]", key.upper())
    store.store("run-1", "fan_out", "other[z]", 0)
    assert store.mapping_keys("run-1", "fan_out", "result") == ["a", "b", "c"]
    assert store.mapping_keys("run-1", "nothing", "result") == []
    assert store.load("run-1", "fan_out", "result[b]") == "B"


def test_copying_an_output_to_a_child_run(store: OutputStore) -> None:
    store.store("parent", "load", "result[x]", 41)
    store.copy_output("parent", "child", "load", "result[x]")
    store.copy_output("parent", "child", "load", "result[x]")  # a second copy changes nothing
    assert store.load("child", "load", "result[x]") == 41


def test_deleting_a_run_deletes_its_outputs_only(store: OutputStore) -> None:
    store.store("abc", "one", "result", 1)
    store.store("abc", "two", "result[k]", 2)
    store.store("abc2", "one", "result", 3)  # a run whose id starts like the other's
    assert len(store.run_outputs("abc")) == 2
    assert store.delete_run("abc") == 2
    assert store.run_outputs("abc") == [] and not store.has("abc", "one", "result")
    assert store.load("abc2", "one", "result") == 3
    assert store.delete_run("abc") == 0  # nothing left: still fine
    assert store.delete_run("never-stored") == 0


@pytest.mark.parametrize("run_id", ["", ".", "..", "a/b", "../x", "*", "run[1]", "a?", "a\\b", "a\0b"])
def test_a_run_id_that_is_not_one_folder_is_refused(store: OutputStore, run_id: str) -> None:
    # Deleting "" or "*" would otherwise delete every run's outputs.
    store.store("keep", "one", "result", 1)
    with pytest.raises(ValueError, match="not a run id"):
        store.delete_run(run_id)
    with pytest.raises(ValueError, match="not a run id"):
        store.store(run_id, "one", "result", 1)
    assert store.load("keep", "one", "result") == 1


@op(out={"result": Out()})
def make_number() -> int:
    return 20


@op
def double(number: int) -> int:
    return number * 2


@job
def arithmetic() -> None:
    double(make_number())


def test_re_execution_reads_the_parent_run_outputs_from_the_store(store: OutputStore) -> None:
    events: list[Any] = []
    assert execute_job(arithmetic, {}, run_id="parent", emit=events.append, io_store=store) == RunOutcome.SUCCESS
    child_events: list[Any] = []
    outcome = execute_job(arithmetic, {}, run_id="child", emit=child_events.append, io_store=store,
                          step_keys_to_execute=["double"], parent_run_id="parent")
    assert outcome == RunOutcome.SUCCESS
    assert {event.step_key for event in child_events if event.step_key} == {"double"}
    assert store.load("child", "double", "result") == 40
    # The reused output was copied: a re-execution of the child finds it even with the parent gone.
    store.delete_run("parent")
    assert store.load("child", "make_number", "result") == 20


def test_the_url_names_the_kind_of_store(tmp_path: pathlib.Path) -> None:
    assert isinstance(open_output_store(str(tmp_path)), LocalOutputStore)
    local = open_output_store(f"file://{tmp_path}/out")
    assert isinstance(local, LocalOutputStore) and local.url == f"{tmp_path}/out"
    assert isinstance(open_output_store("s3://bucket/prefix"), ObjectOutputStore)
    assert isinstance(open_output_store("memory://bucket/prefix"), ObjectOutputStore)


@pytest.mark.parametrize(("url", "message"), [
    ("s3://", "names no bucket"),
    ("nonsense-scheme://bucket/x", "which fsspec does not know"),
    ("gs://bucket/x", "needs gcsfs: pip install 'gcsfs'"),
    ("file://", "names no directory"),
    ("/tmp/a\nb", "not an output store URL"),
])
def test_an_unusable_url_is_a_config_error(url: str, message: str) -> None:
    with pytest.raises(OutputStoreConfigError, match=message):
        open_output_store(url)


def test_the_default_is_the_storage_folder_under_berth_home(tmp_path: pathlib.Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BERTH_OUTPUT_STORE", raising=False)
    monkeypatch.setenv("BERTH_HOME", str(tmp_path))
    assert output_store_url() == str(tmp_path / "storage")
    assert open_output_store().url == str(tmp_path / "storage")
    monkeypatch.setenv("BERTH_OUTPUT_STORE", "s3://bucket/berth")
    assert open_output_store().url == "s3://bucket/berth"
    assert output_store_url("/explicit") == "/explicit"


def test_the_default_io_manager_is_the_output_store(store: OutputStore) -> None:
    """An IO manager that wraps the default one (as users write them) stores through it into the store."""
    from berth.definitions.io_manager import IOManager, OutputStoreIOManager, io_manager

    handled: list[str] = []

    class Counting(IOManager):
        def __init__(self) -> None:
            self.inner = OutputStoreIOManager(store)

        def handle_output(self, context: Any, obj: Any) -> None:
            handled.append(context.step_key)
            self.inner.handle_output(context, obj)

        def load_input(self, context: Any) -> Any:
            return self.inner.load_input(context)

    @job(resource_defs={"io_manager": io_manager(lambda: Counting())})
    def counted() -> None:
        double(make_number())

    # The engine is given no store of its own: what is in the store came through the wrapper.
    assert execute_job(counted, {}, run_id="wrapped", emit=lambda _event: None,
                       io_store=open_output_store(f"{store.url}-unused")) == RunOutcome.SUCCESS
    assert handled == ["make_number", "double"]
    assert store.load("wrapped", "make_number", "result") == 20
    assert store.load("wrapped", "double", "result") == 40
