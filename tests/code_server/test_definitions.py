"""The definitions API as a Dagster user writes it, and loading code locations."""

from __future__ import annotations

import pathlib
import textwrap

import pytest

from berth import (
    DependencyDefinition,
    Field,
    GraphDefinition,
    In,
    InvalidSubsetError,
    JobDefinition,
    NodeInvocation,
    Nothing,
    OpExecutionContext,
    Out,
    Output,
    RetryPolicy,
    graph,
    job,
    op,
)
from berth.definitions.errors import DefinitionError, NoDefinitionsError
from berth.definitions.loader import load_code_location

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


@op
def one() -> int:
    return 1


@op
def add_one(number: int) -> int:
    """Adds one."""
    return number + 1


@op(out={"left": Out(int), "right": Out(str, description="the right half")})
def split(context):
    yield Output(1, "left")
    yield Output("r", "right")


@op
def join(left: int, right: str) -> str:
    return f"{left}{right}"


def _upstream(job_def: JobDefinition) -> dict[str, tuple[str, ...]]:
    return {name: node.upstream_node_names for name, node in job_def.nodes.items()}


def test_example_hello_loads_into_the_singleton_repository() -> None:
    loaded = load_code_location(python_file=str(EXAMPLES / "hello" / "definitions.py"))
    assert list(loaded.repositories) == ["__repository__"]
    repo = loaded.repositories["__repository__"]
    assert list(repo.jobs) == ["etl_job", "failing_job", "flaky_job", "hello_job", "slow_job"]
    hello = repo.jobs["hello_job"]
    assert hello.description == "Greets someone." and hello.tags == {"team": "examples"}
    assert _upstream(repo.jobs["etl_job"]) == {"extract": (), "transform": ("extract",), "load": ("transform",),
                                               "notify": ("load",)}
    notify = repo.jobs["etl_job"].nodes["notify"].op_def
    assert notify.ins["after"].is_nothing and notify.description == "Runs after load, with no data passed."
    assert repo.jobs["flaky_job"].retry_policy_for("flaky") == RetryPolicy(max_retries=2)


def test_example_analytics_loads_named_repositories() -> None:
    loaded = load_code_location(python_file=str(EXAMPLES / "analytics" / "repository.py"))
    assert list(loaded.repositories) == ["analytics", "reporting"]
    assert loaded.repositories["analytics"].description == "Analytics jobs."
    export = loaded.repositories["analytics"].jobs["export_job"]
    assert export.default_run_config["ops"]["export_table"]["config"]["target"] == {"bucket": "b"}
    # the job's default config makes the otherwise required entries optional
    result = export.run_config_schema.validate({})
    assert result.success, result.errors
    assert result.value["ops"]["export_table"]["config"]["columns"] == ["id"]
    assert list(loaded.repositories["reporting"].jobs) == ["daily_report"]


def test_load_by_module_name_with_working_directory() -> None:
    loaded = load_code_location(module_name="repository", working_directory=str(EXAMPLES / "analytics"))
    assert set(loaded.repositories) == {"analytics", "reporting"}


def test_bare_jobs_form_the_singleton_repository(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "bare_jobs.py"
    path.write_text(textwrap.dedent("""
        from berth import job, op

        @op
        def ping():
            return "pong"

        @job
        def ping_job():
            ping()
    """))
    loaded = load_code_location(python_file=str(path))
    assert list(loaded.repositories["__repository__"].jobs) == ["ping_job"]


def test_import_errors_propagate_and_empty_modules_are_reported(tmp_path: pathlib.Path) -> None:
    broken = tmp_path / "broken_location.py"
    broken.write_text("raise ZeroDivisionError('user code is broken')\n")
    with pytest.raises(ZeroDivisionError, match="user code is broken"):
        load_code_location(python_file=str(broken))
    empty = tmp_path / "empty_location.py"
    empty.write_text("x = 1\n")
    with pytest.raises(NoDefinitionsError):
        load_code_location(python_file=str(empty))


def test_invoking_an_op_twice_names_the_second_op_2_and_alias_renames() -> None:
    @job
    def twice():
        add_one.alias("plus")(add_one(add_one(one())))

    assert list(twice.nodes) == ["one", "add_one", "add_one_2", "plus"]
    assert _upstream(twice)["add_one_2"] == ("add_one",)
    assert twice.nodes["plus"].op_def is add_one


def test_multiple_outputs_are_unpacked_and_wired_by_name() -> None:
    @job
    def halves():
        left, right = split()
        join(left, right=right)

    sources = halves.nodes["join"].inputs
    assert [(h.node, h.output) for h in sources["left"].handles] == [("split", "left")]
    assert [(h.node, h.output) for h in sources["right"].handles] == [("split", "right")]
    assert [o.type_name for o in split.output_defs] == ["Int", "String"]


def test_op_signature_inference() -> None:
    @op(config_schema={"n": int}, tags={"kind": "x"}, name="renamed", description="explicit")
    def configured(context: OpExecutionContext, rows: list, after_nothing=None) -> str:
        return ""

    assert configured.name == "renamed" and configured.tags == {"kind": "x"}
    assert configured.description == "explicit"
    assert configured.has_context_arg and configured.input_names == ["rows", "after_nothing"]
    assert configured.ins["rows"].type_name == "List" and configured.outs["result"].type_name == "String"
    assert configured.config_field is not None and configured.config_field.is_required

    with pytest.raises(DefinitionError):
        @op(ins={"ghost": In(int)})
        def missing_param():
            return None


def test_nothing_dependencies_order_ops_without_data() -> None:
    @op(ins={"start": In(Nothing)})
    def after(context):
        return None

    @job
    def ordered():
        after(start=one())

    assert _upstream(ordered) == {"one": (), "after": ("one",)}


def test_explicit_graph_definition_matches_dagster_form() -> None:
    explicit = GraphDefinition(
        "explicit", node_defs=[one, add_one],
        dependencies={"add_one": {"number": DependencyDefinition("one")},
                      NodeInvocation("add_one", alias="add_two"): {"number": DependencyDefinition("add_one")}},
    )
    job_def = explicit.to_job(tags={"t": "1"}, description="explicit job")
    assert list(job_def.nodes) == ["one", "add_one", "add_two"]
    assert _upstream(job_def)["add_two"] == ("add_one",)
    assert job_def.name == "explicit" and job_def.tags == {"t": "1"} and job_def.description == "explicit job"
    with pytest.raises(DefinitionError):
        GraphDefinition("bad", node_defs=[one], dependencies={"one": {"nope": DependencyDefinition("one")}})


def test_nested_graphs_are_flattened() -> None:
    @graph
    def inner(number):
        return add_one(add_one(number))

    @job
    def outer():
        add_one.alias("last")(inner(one()))

    assert list(outer.nodes) == ["one", "inner.add_one", "inner.add_one_2", "last"]
    assert _upstream(outer) == {"one": (), "inner.add_one": ("one",), "inner.add_one_2": ("inner.add_one",),
                                "last": ("inner.add_one_2",)}
    schema = outer.run_config_schema
    assert schema.validate({"ops": {"inner": {"ops": {"add_one": {"config": 1}}}}}).success


def test_job_config_becomes_default_run_config() -> None:
    @op(config_schema={"n": int})
    def needs_n(context):
        return context.op_config["n"]

    @job(config={"ops": {"needs_n": {"config": {"n": 3}}}})
    def defaulted():
        needs_n()

    @job
    def not_defaulted():
        needs_n()

    assert defaulted.run_config_schema.validate({}).value["ops"]["needs_n"] == {"config": {"n": 3}}
    [error] = not_defaulted.run_config_schema.validate({}).errors
    assert error.reason == "MISSING_REQUIRED_FIELD" and error.path == ()


def test_get_subset_keeps_selected_ops_and_rejects_unknown_names() -> None:
    @job
    def chain():
        add_one.alias("c")(add_one.alias("b")(one()))

    subset = chain.get_subset(["b", "c"])
    assert list(subset.nodes) == ["b", "c"] and subset.op_selection == ("b", "c")
    assert _upstream(subset) == {"b": (), "c": ("b",)}
    # b's input is no longer connected: it must now come from config
    [error] = subset.run_config_schema.validate({}).errors
    assert error.reason == "MISSING_REQUIRED_FIELD"
    assert subset.run_config_schema.validate({"ops": {"b": {"inputs": {"number": 4}}}}).success
    assert set(chain.get_subset(["*c"]).nodes) == {"one", "b", "c"}
    assert set(chain.get_subset(["one+"]).nodes) == {"one", "b"}
    with pytest.raises(InvalidSubsetError, match="nope"):
        chain.get_subset(["b", "nope"])


def test_field_config_shorthand_on_ops() -> None:
    @op(config_schema={"names": [str], "opt": Field(int, is_required=False)})
    def shorthand(context):
        return None

    @job
    def uses():
        shorthand()

    result = uses.run_config_schema.validate({"ops": {"shorthand": {"config": {"names": ["a"]}}}})
    assert result.success and result.value["ops"]["shorthand"]["config"] == {"names": ["a"]}


def test_calling_an_op_directly_runs_it() -> None:
    assert add_one(2) == 3


def test_public_api_mirrors_dagster_names() -> None:
    import berth

    expected = {"op", "job", "graph", "In", "Out", "Output", "Nothing", "Field", "Shape", "Permissive", "Selector",
                "Noneable", "Enum", "EnumValue", "Array", "Map", "Any", "Definitions", "repository",
                "OpExecutionContext", "Failure", "RetryPolicy", "OpDefinition", "GraphDefinition",
                "DependencyDefinition", "NodeInvocation"}
    assert expected <= set(berth.__all__)
    assert berth.__all__ == sorted(berth.__all__)
    assert all(hasattr(berth, name) for name in berth.__all__)
