"""Resources, Pythonic config and dynamic outputs as user code defines them: what loads and what is refused."""

from __future__ import annotations

import enum
import subprocess
import sys
import textwrap

import pytest

from berth import Config, ConfigurableResource, Definitions, DynamicOut, DynamicOutput, RunConfig, job, op, resource
from berth.definitions.errors import DefinitionError
from berth.events import EventType
from berth.execution.engine import RunOutcome, execute_job


def _run(job_def, run_config=None, tmp_path=None):  # type: ignore[no-untyped-def]
    from berth.execution.io_store import FilesystemIOStore

    events = []
    outcome = execute_job(job_def, run_config or {}, run_id="r1", emit=events.append,
                          io_store=FilesystemIOStore(str(tmp_path)) if tmp_path else None)
    return outcome, events


def test_an_op_requiring_a_resource_the_job_lacks_fails_at_load() -> None:
    @op(required_resource_keys={"db"})
    def query(context):  # type: ignore[no-untyped-def]
        return 1

    @job
    def needs_db():
        query()

    with pytest.raises(DefinitionError, match=r'op "query" requires resources \[\'db\'\]'):
        Definitions(jobs=[needs_db])


@pytest.mark.parametrize("argument", ["assets", "schedules", "sensors", "executor", "loggers"])
def test_unsupported_definitions_arguments_are_named(argument: str) -> None:
    with pytest.raises(DefinitionError, match=rf"Definitions\({argument}=...\)"):
        Definitions(**{argument: [object()]})


def test_unsupported_job_arguments_are_named() -> None:
    @op
    def work():  # type: ignore[no-untyped-def]
        return 1

    with pytest.raises(DefinitionError, match="hooks"):
        @job(hooks={object()})
        def hooked():
            work()


class Odd(Config):
    """A config class with a field type berth cannot express (at module level so the annotation resolves)."""

    value: int | str


def test_a_resource_class_instead_of_an_instance_is_refused_by_name() -> None:
    with pytest.raises(DefinitionError, match=r"Resource class Api was given .* Api.configure_at_launch\(\)"):
        Definitions(resources={"api": Api})


def test_a_union_in_config_is_refused_by_name() -> None:
    with pytest.raises(DefinitionError, match=r"Odd.value: berth does not support the union type"):
        @op
        def odd(config: Odd):  # type: ignore[no-untyped-def]
            return config


def test_generator_resources_are_torn_down_even_when_a_step_fails(tmp_path) -> None:  # type: ignore[no-untyped-def]
    calls = []

    @resource
    def tracked(_context):  # type: ignore[no-untyped-def]
        calls.append("setup")
        yield "value"
        calls.append("teardown")

    @op(required_resource_keys={"tracked"})
    def explode(context):  # type: ignore[no-untyped-def]
        raise ValueError(context.resources.tracked)

    @job(resource_defs={"tracked": tracked})
    def failing():
        explode()

    outcome, _ = _run(failing, tmp_path=tmp_path)
    assert outcome == RunOutcome.FAILURE and calls == ["setup", "teardown"]


class Api(ConfigurableResource):
    """A resource with one required and one defaulted field."""

    url: str
    retries: int = 3


def test_configurable_resource_config_appears_in_the_run_config_schema() -> None:
    @op
    def call(api: Api):  # type: ignore[no-untyped-def]
        return api.url

    @job(resource_defs={"api": Api.configure_at_launch()})
    def calls():
        call()

    printed = calls.run_config_schema.print_type()
    # str and int fields are StringSource and IntSource, as in Dagster; fields with a default are Noneable
    assert ("resources: { api: { config: { retries?: (Int | { env: String })? url: (String | { env: String }) } } "
            "io_manager?: { config?: Any } }") in printed
    errors = calls.run_config_schema.validate({"resources": {"api": {"config": {"retries": 1}}}}).errors
    assert [(error.reason, error.path) for error in errors] == [
        ("MISSING_REQUIRED_FIELD", ("resources", "api", "config"))]


def test_mapped_steps_are_keyed_by_mapping_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    @op(out=DynamicOut())
    def fan():  # type: ignore[no-untyped-def]
        yield DynamicOutput(1, mapping_key="one")
        yield DynamicOutput(2, mapping_key="two")

    @op
    def double(value):  # type: ignore[no-untyped-def]
        return value * 2

    @op
    def total(values):  # type: ignore[no-untyped-def]
        return sum(values)

    @job
    def mapped():
        total(fan().map(double).collect())

    outcome, events = _run(mapped, tmp_path=tmp_path)
    succeeded = [event.step_key for event in events if event.event_type == EventType.STEP_SUCCESS]
    assert outcome == RunOutcome.SUCCESS
    assert succeeded == ["fan", "double[one]", "double[two]", "total"]


def test_a_code_location_without_pythonic_config_does_not_import_pydantic(tmp_path) -> None:  # type: ignore[no-untyped-def]
    location = tmp_path / "plain.py"
    location.write_text(textwrap.dedent("""
        from berth import Definitions, job, op, resource

        @resource
        def value(_):
            return 1

        @op(required_resource_keys={"value"})
        def one(context):
            return context.resources.value

        @job(resource_defs={"value": value})
        def plain():
            one()

        defs = Definitions(jobs=[plain])
    """))
    script = ("import sys; from berth.definitions.loader import load_code_location; "
              f"load_code_location(python_file={str(location)!r}); print('pydantic' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert completed.stdout.strip() == "False"


def test_reexecution_of_mapped_steps_loads_the_dynamic_output_from_the_parent_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from berth.execution.io_store import FilesystemIOStore

    attempts = {"count": 0}

    @op(out=DynamicOut())
    def fan():  # type: ignore[no-untyped-def]
        attempts["count"] += 1
        yield DynamicOutput(1, mapping_key="one")
        yield DynamicOutput(2, mapping_key="two")

    @op
    def fragile(value):  # type: ignore[no-untyped-def]
        if value == 2 and attempts.get("broken", True):
            raise ValueError("two is broken")
        return value * 10

    @op
    def total(values):  # type: ignore[no-untyped-def]
        return sum(values)

    @job
    def mapped():
        total(fan().map(fragile).collect())

    store = FilesystemIOStore(str(tmp_path))
    first = execute_job(mapped, {}, run_id="parent", emit=lambda event: None, io_store=store)
    attempts["broken"] = False
    events = []
    second = execute_job(mapped, {}, run_id="child", emit=events.append, io_store=store,
                         step_keys_to_execute=["fragile", "total"], parent_run_id="parent")
    succeeded = [event.step_key for event in events if event.event_type == EventType.STEP_SUCCESS]
    assert (first, second) == (RunOutcome.FAILURE, RunOutcome.SUCCESS)
    assert attempts["count"] == 1 and succeeded == ["fragile[one]", "fragile[two]", "total"]
    assert store.load("child", "total", "result") == 30


class Shade(enum.Enum):
    """Enum values travel by member name in run config."""

    LIGHT = 1
    DARK = 2


class Brush(Config):
    """A nested config model."""

    width: int = 2


class Painting(Config):
    """A config with an enum, a nested model and a list."""

    shade: Shade = Shade.LIGHT
    brush: Brush = Brush()
    walls: list[str] = []


def test_run_config_from_config_instances_is_plain_run_config() -> None:
    run_config = RunConfig(ops={"paint": Painting(shade=Shade.DARK, walls=["north"])},
                           resources={"api": {"config": {"url": "u"}}}).to_config_dict()
    assert run_config == {"ops": {"paint": {"config": {"shade": "DARK", "brush": {"width": 2}, "walls": ["north"]}}},
                          "resources": {"api": {"config": {"url": "u"}}}}

    @op
    def paint(config: Painting):  # type: ignore[no-untyped-def]
        return config

    @job(resource_defs={"api": Api.configure_at_launch()})
    def painting():
        paint()

    result = painting.run_config_schema.validate(run_config)
    assert result.success, result.errors


@pytest.mark.parametrize("executor", [{}, {"execution": {"config": {"multiprocess": {}}}}])
def test_a_dynamic_op_failing_midway_leaves_no_mapped_steps(executor) -> None:  # type: ignore[no-untyped-def]
    from berth import Out

    @op(out={"items": DynamicOut(), "count": Out()})
    def emit_then_fail():  # type: ignore[no-untyped-def]
        yield DynamicOutput(1, mapping_key="a", output_name="items")
        raise ValueError("broke after one item")

    @op
    def double(value):  # type: ignore[no-untyped-def]
        return value * 2

    @op
    def total(values):  # type: ignore[no-untyped-def]
        return sum(values)

    @op
    def report(value):  # type: ignore[no-untyped-def]
        return value

    @job
    def midway():
        items, count = emit_then_fail()
        report(total(items.map(double).collect()))
        report.alias("report_count")(count)

    outcome, events = _run(midway, executor)
    assert outcome == RunOutcome.FAILURE
    # As in Dagster: the mapped steps and what hangs off them never exist; a plain consumer is skipped.
    stepped = sorted({(event.step_key, event.event_type.value) for event in events
                      if event.step_key and event.event_type in (EventType.STEP_START, EventType.STEP_SKIPPED,
                                                                  EventType.STEP_FAILURE, EventType.STEP_SUCCESS)})
    assert stepped == [("emit_then_fail", "STEP_FAILURE"), ("emit_then_fail", "STEP_START"),
                       ("report_count", "STEP_SKIPPED")]


def test_a_dagster_name_berth_does_not_serve_fails_the_import_with_a_definition_error() -> None:
    import berth
    from berth.unsupported_names import UNSUPPORTED_DAGSTER_NAMES

    assert not set(UNSUPPORTED_DAGSTER_NAMES) & set(berth.__all__)
    with pytest.raises(DefinitionError, match=r"dagster\.ScheduleDefinition \(schedules and sensors\)"):
        from berth import ScheduleDefinition  # noqa: F401
    with pytest.raises(DefinitionError, match=r"dagster\.asset \(assets\)"):
        exec("from berth import asset", {})
    assert not hasattr(berth, "no_such_name")  # any other unknown name stays a plain AttributeError
