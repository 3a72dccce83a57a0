"""job.execute_in_process(): the call Dagster users write in their unit tests, answered as Dagster does."""

from __future__ import annotations

import threading

import pytest

from berth import (
    Config,
    ConfigurableResource,
    DagsterInvalidConfigError,
    DagsterInvariantViolationError,
    DagsterResourceFunctionError,
    DagsterRunStatus,
    DynamicOut,
    DynamicOutput,
    Failure,
    Out,
    Output,
    RetryPolicy,
    graph,
    job,
    op,
    resource,
)
from berth.definitions.errors import DefinitionError, InvalidSubsetError


@op
def one() -> int:
    return 1


@op
def add_one(x: int) -> int:
    return x + 1


@op
def explode(x: int) -> int:
    raise ValueError(f"boom {x}")


@job
def adds():
    add_one(one())


@job
def explodes():
    explode(one())


def test_a_successful_run_answers_its_outputs_and_events() -> None:
    result = adds.execute_in_process()
    assert result.success
    assert result.dagster_run.status == DagsterRunStatus.SUCCESS
    assert result.output_for_node("add_one") == 2
    assert result.output_for_node("one") == 1
    assert [event.step_key for event in result.get_step_success_events()] == ["one", "add_one"]
    assert result.all_events[0].event_type_value == "PIPELINE_START"
    assert result.all_events[-1].event_type_value == "PIPELINE_SUCCESS"
    assert {event.step_key for event in result.all_node_events} == {"one", "add_one"}
    assert [event.event_type_value for event in result.events_for_node("one")] == [
        "STEP_START", "STEP_OUTPUT", "STEP_SUCCESS"]
    assert result.run_id == result.dagster_run.run_id and len(result.run_id) == 36


def test_the_op_exception_is_raised_again_as_dagster_does() -> None:
    with pytest.raises(ValueError, match="boom 1"):
        explodes.execute_in_process()


def test_raising_stops_the_run_at_the_failed_step() -> None:
    ran = []

    @op
    def a_fails() -> None:
        raise ValueError("first")

    @op
    def z_after() -> None:
        ran.append("z_after")

    @job
    def stops():
        a_fails()
        z_after()

    with pytest.raises(ValueError, match="first"):
        stops.execute_in_process()
    assert ran == []
    assert stops.execute_in_process(raise_on_error=False).is_node_success("z_after")
    assert ran == ["z_after"]


def test_without_raise_on_error_the_failure_is_in_the_result() -> None:
    result = explodes.execute_in_process(raise_on_error=False)
    assert not result.success
    assert result.dagster_run.status == DagsterRunStatus.FAILURE
    (failure,) = result.get_step_failure_events()
    assert failure.step_key == "explode"
    assert failure.error is not None and "boom 1" in failure.error.message
    assert result.get_failed_step_keys() == {"explode"}
    assert result.is_node_failed("explode") and result.is_node_success("one")
    with pytest.raises(DagsterInvariantViolationError, match="No outputs found for output 'result' from node 'explode'"):
        result.output_for_node("explode")


def test_a_failure_raised_by_an_op_is_raised_again() -> None:
    @op
    def refuse() -> None:
        raise Failure(description="nope", metadata={"k": 1})

    @job
    def refuses():
        refuse()

    with pytest.raises(Failure, match="nope"):
        refuses.execute_in_process()


def test_unknown_nodes_and_outputs_are_typed_errors() -> None:
    @op(out={"x": Out(), "y": Out()})
    def pair():
        return 1, 2

    @job
    def pairs():
        pair()

    result = pairs.execute_in_process()
    assert result.output_for_node("pair", "y") == 2
    with pytest.raises(DagsterInvariantViolationError, match="pair has no output named result"):
        result.output_for_node("pair")
    with pytest.raises(DagsterInvariantViolationError, match="pairs has no op named nobody"):
        result.output_for_node("nobody")
    with pytest.raises(DagsterInvariantViolationError, match="which has no outputs"):
        result.output_value()


def test_run_config_and_invalid_config() -> None:
    @op(config_schema={"x": int})
    def configured(context) -> int:  # type: ignore[no-untyped-def]
        return context.op_config["x"]

    @job
    def configured_job():
        configured()

    result = configured_job.execute_in_process(run_config={"ops": {"configured": {"config": {"x": 5}}}},
                                               tags={"team": "data"})
    assert result.output_for_node("configured") == 5
    assert result.dagster_run.tags["team"] == "data"
    for raise_on_error in (True, False):
        with pytest.raises(DagsterInvalidConfigError, match="configured") as caught:
            configured_job.execute_in_process(run_config={"ops": {"configured": {"config": {"x": "s"}}}},
                                              raise_on_error=raise_on_error)
        assert caught.value.errors[0].reason == "RUNTIME_TYPE_MISMATCH"


class Greeting(Config):
    name: str = "world"


class Prefix(ConfigurableResource):
    text: str


def test_pythonic_config_and_resources_given_at_the_call() -> None:
    # (the classes are at module level: this file's annotations are strings, resolved in its globals)
    @op
    def greet(config: Greeting, prefix: Prefix) -> str:
        return f"{prefix.text} {config.name}"

    @job
    def greets():
        greet()

    result = greets.execute_in_process(resources={"prefix": Prefix(text="hello")},
                                       run_config={"ops": {"greet": {"config": {"name": "berth"}}}})
    assert result.output_for_node("greet") == "hello berth"
    with pytest.raises(DefinitionError, match="prefix"):
        greets.execute_in_process()


def test_a_resource_that_fails_in_setup() -> None:
    @resource
    def broken(_):  # type: ignore[no-untyped-def]
        raise ConnectionError("no database")

    @op(required_resource_keys={"db"})
    def use_db() -> int:
        return 1

    @job(resource_defs={"db": broken})
    def needs_db():
        use_db()

    with pytest.raises(DagsterResourceFunctionError, match="db") as caught:
        needs_db.execute_in_process()
    assert isinstance(caught.value.__cause__, ConnectionError)
    assert not needs_db.execute_in_process(raise_on_error=False).success


def test_outputs_need_not_be_picklable() -> None:
    @op
    def make_lock():  # type: ignore[no-untyped-def]
        return threading.Lock()

    @op
    def use_lock(lock) -> bool:  # type: ignore[no-untyped-def]
        with lock:
            return True

    @job
    def locks():
        use_lock(make_lock())

    assert locks.execute_in_process().output_for_node("use_lock") is True


def test_dynamic_outputs_answer_dicts_by_mapping_key() -> None:
    @op(out=DynamicOut())
    def fan_out():  # type: ignore[no-untyped-def]
        for index in range(3):
            yield DynamicOutput(index, mapping_key=str(index))

    @op
    def double(x: int) -> int:
        return x * 2

    @op
    def total(values: list) -> int:  # type: ignore[type-arg]
        return sum(values)

    @job
    def dynamic():
        total(fan_out().map(double).collect())

    result = dynamic.execute_in_process()
    assert result.output_for_node("fan_out") == {"0": 0, "1": 1, "2": 2}
    assert result.output_for_node("double") == {"0": 0, "1": 2, "2": 4}
    assert result.output_for_node("total") == 6
    assert {event.step_key for event in result.events_for_node("double")} == {"double[0]", "double[1]", "double[2]"}


def test_nested_graphs_and_graph_outputs() -> None:
    @graph
    def inner():  # type: ignore[no-untyped-def]
        return add_one(one())

    @job
    def outer():
        add_one(inner())

    result = outer.execute_in_process()
    assert result.output_for_node("inner") == 2
    assert result.output_for_node("inner.add_one") == 2
    assert result.output_for_node("add_one") == 3
    assert {event.step_key for event in result.events_for_node("inner")} == {"inner.one", "inner.add_one"}

    graph_result = inner.execute_in_process()
    assert graph_result.success and graph_result.output_value() == 2


def test_op_selection_runs_a_subset() -> None:
    result = adds.execute_in_process(op_selection=["one"])
    assert result.output_for_node("one") == 1
    with pytest.raises(DagsterInvariantViolationError, match="has no op named add_one"):
        result.output_for_node("add_one")
    with pytest.raises(InvalidSubsetError):
        adds.execute_in_process(op_selection=["nobody"])


def test_retries_and_the_execution_section_is_ignored() -> None:
    attempts = []

    @op(retry_policy=RetryPolicy(max_retries=2))
    def flaky() -> int:
        attempts.append(1)
        if len(attempts) < 2:
            raise RuntimeError("once")
        return len(attempts)

    @job
    def flakes():
        flaky()

    result = flakes.execute_in_process(run_config={"execution": {"config": {"multiprocess": {}}}})
    assert result.success and result.output_for_node("flaky") == 2
    # the in-process executor ran it: the op's closure saw both attempts in this process
    assert len(attempts) == 2


def test_an_instance_is_refused_and_outputs_with_yield() -> None:
    @op(out={"a": Out(), "b": Out()})
    def yields():  # type: ignore[no-untyped-def]
        yield Output(1, "a")
        yield Output(2, "b")

    @job
    def yielder():
        yields()

    with pytest.raises(DefinitionError, match="instance"):
        yielder.execute_in_process(instance=object())
    assert yielder.execute_in_process().output_for_node("yields", "b") == 2
