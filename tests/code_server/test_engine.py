"""execute_job end to end, in process and with the multiprocess executor: real ops, real files."""

from __future__ import annotations

import os
import pathlib
import threading
import time
from typing import Any, Callable, Optional

import pytest

from berth import Failure, Field, In, Nothing, Out, Output, RetryPolicy, job, op
from berth.events import EventType, RunEvent
from berth.execution.engine import RunConfigValidationError, RunInterrupted, RunOutcome, StepSelectionError, execute_job

MULTIPROCESS = {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}
_state: dict[str, Any] = {}


@pytest.fixture(autouse=True)
def berth_home(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    monkeypatch.setenv("BERTH_HOME", str(tmp_path))
    _state.clear()
    return tmp_path


class Recorder:
    """Collects emitted events."""

    def __init__(self, on_event: Optional[Callable[[RunEvent], None]] = None) -> None:
        self.events: list[RunEvent] = []
        self._on_event = on_event

    def __call__(self, event: RunEvent) -> None:
        self.events.append(event)
        if self._on_event:
            self._on_event(event)

    def types(self, step_key: Optional[str] = None) -> list[Optional[str]]:
        return [e.event_type.value if e.event_type else None for e in self.events
                if step_key is None or e.step_key == step_key]

    def of(self, event_type: EventType) -> list[RunEvent]:
        return [e for e in self.events if e.event_type == event_type]


def run(job_def: Any, run_config: Optional[dict] = None, run_id: str = "run-1", **kwargs: Any) -> tuple[RunOutcome, Recorder]:
    recorder = Recorder(kwargs.pop("on_event", None))
    outcome = execute_job(job_def, run_config or {}, run_id=run_id, emit=recorder, **kwargs)
    return outcome, recorder


@op(config_schema={"name": Field(str, default_value="world")})
def greet(context) -> str:
    context.log.info(f"hello, {context.op_config['name']}! ({context.job_name} {context.run_id} {context.op_handle})")
    return context.op_config["name"]


@op
def shout(text: str) -> str:
    return text.upper()


@job
def greeting():
    shout(greet())


@op
def explode():
    raise ValueError("this op always fails")


@op
def after_explode(value):
    return value


@op
def independent() -> int:
    return 7


@job
def partly_failing():
    after_explode(explode())
    independent()


@op(out={"number": Out(int), "word": Out(str)})
def pair():
    return 2, "two"


@op(out={"a": Out(int), "b": Out(int, is_required=False)})
def only_a():
    yield Output(1, "a")


@op
def combine(number: int, word: str) -> str:
    return f"{number}-{word}"


@op
def record_pid(value) -> int:
    return os.getpid()


@job
def pairs():
    number, word = pair()
    combine(number, word)


@job
def optional_outputs():
    a, b = only_a()
    shout.alias("from_b")(b)
    record_pid(a)


@op
def first_marker():
    _state.setdefault("order", []).append("first")


@op(ins={"after": In(Nothing)})
def second_marker():
    _state.setdefault("order", []).append("second")


@job
def ordered():
    second_marker(after=first_marker())


@op(retry_policy=RetryPolicy(max_retries=2, delay=0.01))
def flaky(context) -> int:
    _state["attempts"] = _state.get("attempts", 0) + 1
    if _state["attempts"] < 3:
        raise RuntimeError(f"attempt {_state['attempts']} fails")
    return context.retry_number


@job
def flaky_job():
    flaky()


@op(retry_policy=RetryPolicy(max_retries=3))
def refuses_retries():
    raise Failure("bad input, retrying will not help", allow_retries=False)


@job
def failure_job():
    refuses_retries()


@op(config_schema={"seconds": Field(float, default_value=30.0)})
def sleepy(context) -> None:
    deadline = time.monotonic() + context.op_config["seconds"]
    while time.monotonic() < deadline:
        time.sleep(0.01)


@job
def sleepy_job():
    sleepy()


@op
def fans_out_a() -> int:
    return os.getpid()


@op
def fans_out_b() -> int:
    return os.getpid()


@op
def gather(pids: list) -> list:
    return pids


@job
def fan_in():
    gather([fans_out_a(), fans_out_b()])


@op
def interrupted_op():
    raise RunInterrupted("SIGTERM arrived")


@job
def interrupted_job():
    independent()
    interrupted_op()


@op
def base() -> int:
    return 20


@op
def fails_first_time(value: int) -> int:
    if not _state.get("fixed"):
        raise RuntimeError("not fixed yet")
    return value + 1


@op
def final(value: int) -> int:
    return value * 2


@job
def reexecutable():
    final(fails_first_time(base()))


def test_success_emits_the_full_event_sequence_and_stores_outputs(berth_home: pathlib.Path) -> None:
    outcome, events = run(greeting, {"ops": {"greet": {"config": {"name": "ann"}}}})
    assert outcome == RunOutcome.SUCCESS
    assert events.types() == ["PIPELINE_START", "STEP_START", None, "STEP_OUTPUT", "STEP_SUCCESS",
                              "STEP_START", "STEP_OUTPUT", "STEP_SUCCESS", "PIPELINE_SUCCESS"]
    log_line = events.events[2]
    assert log_line.step_key == "greet" and log_line.message == "hello, ann! (greeting run-1 greet)"
    assert all(e.run_id == "run-1" for e in events.events)
    assert (berth_home / "storage" / "run-1" / "shout" / "result").exists()
    from berth.execution.io_store import FilesystemIOStore

    assert FilesystemIOStore().load("run-1", "shout", "result") == "ANN"


def test_failure_reports_the_error_and_skips_downstream_only() -> None:
    outcome, events = run(partly_failing)
    assert outcome == RunOutcome.FAILURE
    [failure] = events.of(EventType.STEP_FAILURE)
    assert failure.step_key == "explode" and failure.error is not None
    assert "this op always fails" in failure.error.message and "explode" in failure.error.stack
    [skipped] = events.of(EventType.STEP_SKIPPED)
    assert skipped.step_key == "after_explode"
    assert "STEP_SUCCESS" in events.types("independent")
    assert events.types()[-1] == "PIPELINE_FAILURE"
    assert "explode" in events.of(EventType.RUN_FAILURE)[0].message


def test_multiple_outputs_from_a_tuple_are_passed_by_name() -> None:
    outcome, _ = run(pairs)
    assert outcome == RunOutcome.SUCCESS
    from berth.execution.io_store import FilesystemIOStore

    assert FilesystemIOStore().load("run-1", "combine", "result") == "2-two"


def test_an_optional_output_not_produced_skips_its_consumer() -> None:
    outcome, events = run(optional_outputs)
    assert outcome == RunOutcome.SUCCESS
    assert [e.step_key for e in events.of(EventType.STEP_SKIPPED)] == ["from_b"]
    assert "STEP_SUCCESS" in events.types("record_pid")


def test_nothing_dependencies_order_execution() -> None:
    outcome, _ = run(ordered)
    assert outcome == RunOutcome.SUCCESS and _state["order"] == ["first", "second"]


def test_retry_policy_retries_then_succeeds() -> None:
    outcome, events = run(flaky_job)
    assert outcome == RunOutcome.SUCCESS
    assert events.types("flaky") == ["STEP_START", "STEP_UP_FOR_RETRY", "STEP_RESTARTED", "STEP_UP_FOR_RETRY",
                                     "STEP_RESTARTED", "STEP_OUTPUT", "STEP_SUCCESS"]
    from berth.execution.io_store import FilesystemIOStore

    assert FilesystemIOStore().load("run-1", "flaky", "result") == 2  # context.retry_number


def test_retries_can_be_disabled_in_run_config_and_by_failure() -> None:
    disabled = {"execution": {"config": {"in_process": {"retries": {"disabled": {}}}}}}
    outcome, events = run(flaky_job, disabled)
    assert outcome == RunOutcome.FAILURE and not events.of(EventType.STEP_UP_FOR_RETRY)
    outcome, events = run(failure_job, run_id="run-2")
    assert outcome == RunOutcome.FAILURE and not events.of(EventType.STEP_UP_FOR_RETRY)
    assert events.of(EventType.STEP_FAILURE)[0].error.message == "Failure: bad input, retrying will not help"


def test_should_stop_cancels_between_steps() -> None:
    stop = threading.Event()

    def stop_after_greet(event: RunEvent) -> None:
        if event.event_type == EventType.STEP_SUCCESS and event.step_key == "greet":
            stop.set()

    outcome, events = run(greeting, should_stop=stop.is_set, on_event=stop_after_greet)
    assert outcome == RunOutcome.CANCELED
    assert events.types()[-1] == "PIPELINE_CANCELED"
    assert not events.types("shout")


def test_run_interrupted_inside_an_op_cancels_the_run() -> None:
    outcome, events = run(interrupted_job)
    assert outcome == RunOutcome.CANCELED
    [failure] = events.of(EventType.STEP_FAILURE)
    assert failure.step_key == "interrupted_op" and "SIGTERM arrived" in failure.error.message
    assert events.types()[-1] == "PIPELINE_CANCELED"


def test_invalid_config_and_unknown_steps_raise_before_any_event() -> None:
    recorder = Recorder()
    with pytest.raises(RunConfigValidationError) as raised:
        execute_job(greeting, {"ops": {"greet": {"config": {"name": 3}}}}, run_id="bad", emit=recorder)
    assert raised.value.errors[0].path == ("ops", "greet", "config", "name")
    with pytest.raises(StepSelectionError, match="nope"):
        execute_job(greeting, {}, run_id="bad", emit=recorder, step_keys_to_execute=["nope"])
    assert recorder.events == []


def test_reexecution_from_failure_loads_upstream_outputs_from_the_parent_run() -> None:
    outcome, _ = run(reexecutable, run_id="parent")
    assert outcome == RunOutcome.FAILURE
    _state["fixed"] = True
    outcome, events = run(reexecutable, run_id="child", parent_run_id="parent",
                          step_keys_to_execute=["fails_first_time", "final"])
    assert outcome == RunOutcome.SUCCESS
    assert {e.step_key for e in events.of(EventType.STEP_START)} == {"fails_first_time", "final"}
    # a re-execution of the re-execution finds "base" too, although neither child ran it
    outcome, _ = run(reexecutable, run_id="grandchild", parent_run_id="child", step_keys_to_execute=["final"])
    assert outcome == RunOutcome.SUCCESS
    from berth.execution.io_store import FilesystemIOStore

    assert FilesystemIOStore().load("grandchild", "final", "result") == 42


def test_reexecution_without_parent_output_fails_the_step() -> None:
    outcome, events = run(reexecutable, run_id="orphan", step_keys_to_execute=["final"])
    assert outcome == RunOutcome.FAILURE
    [failure] = events.of(EventType.STEP_FAILURE)
    assert failure.step_key == "final" and "parent run" in failure.error.message


def test_multiprocess_executor_runs_steps_in_child_processes() -> None:
    outcome, events = run(fan_in, MULTIPROCESS)
    assert outcome == RunOutcome.SUCCESS
    from berth.execution.io_store import FilesystemIOStore

    pids = FilesystemIOStore().load("run-1", "gather", "result")
    assert len(pids) == 2 and os.getpid() not in pids
    assert events.types()[0] == "PIPELINE_START" and events.types()[-1] == "PIPELINE_SUCCESS"


def test_multiprocess_executor_failure_retry_skip_and_logs() -> None:
    outcome, events = run(partly_failing, MULTIPROCESS)
    assert outcome == RunOutcome.FAILURE
    assert [e.step_key for e in events.of(EventType.STEP_SKIPPED)] == ["after_explode"]
    assert "this op always fails" in events.of(EventType.STEP_FAILURE)[0].error.message
    outcome, events = run(flaky_job, MULTIPROCESS, run_id="run-2")
    assert outcome == RunOutcome.SUCCESS and len(events.of(EventType.STEP_UP_FOR_RETRY)) == 2
    outcome, events = run(greeting, MULTIPROCESS, run_id="run-3")
    assert outcome == RunOutcome.SUCCESS
    assert [e.message for e in events.events if e.event_type is None] == ["hello, world! (greeting run-3 greet)"]


def test_multiprocess_executor_cancels_a_running_step() -> None:
    stop = threading.Event()

    def stop_when_started(event: RunEvent) -> None:
        if event.event_type == EventType.STEP_START:
            stop.set()

    outcome, events = run(sleepy_job, MULTIPROCESS, should_stop=stop.is_set, on_event=stop_when_started)
    assert outcome == RunOutcome.CANCELED, [(e.event_type, e.message) for e in events.events]
    [failure] = events.of(EventType.STEP_FAILURE)
    assert failure.step_key == "sleepy" and "RunInterrupted" in failure.error.message
    assert events.types()[-1] == "PIPELINE_CANCELED"
