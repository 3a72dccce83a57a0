"""Resources held in ConfigurableResource fields: nested resources and ResourceDependency."""

from __future__ import annotations

import pytest

from berth import ConfigurableResource, Definitions, EnvVar, ResourceDependency, job, op, resource
from berth.definitions.errors import DefinitionError
from berth.execution.engine import RunOutcome, execute_job

CALLS: list[str] = []


class Credentials(ConfigurableResource):
    user: str
    password: str = "pw"

    def setup_for_execution(self, context) -> None:  # type: ignore[no-untyped-def]
        CALLS.append(f"setup credentials {self.user}")

    def teardown_after_execution(self, context) -> None:  # type: ignore[no-untyped-def]
        CALLS.append(f"teardown credentials {self.user}")


class Warehouse(ConfigurableResource):
    credentials: Credentials
    schema_name: str = "public"

    def setup_for_execution(self, context) -> None:  # type: ignore[no-untyped-def]
        CALLS.append(f"setup warehouse as {self.credentials.user}")

    def teardown_after_execution(self, context) -> None:  # type: ignore[no-untyped-def]
        CALLS.append("teardown warehouse")


@op
def query(warehouse: Warehouse) -> str:
    return f"{warehouse.credentials.user}:{warehouse.credentials.password}@{warehouse.schema_name}"


@job
def query_job():
    query()


def _run(job_def, run_config=None):  # type: ignore[no-untyped-def]
    events = []
    outcome = execute_job(job_def, run_config or {}, run_id="r1", emit=events.append)
    return outcome, events


def test_a_nested_resource_is_set_up_inside_its_holder_and_torn_down_after_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BERTH_TEST_PASSWORD", "s3cr3t")
    defs = Definitions(jobs=[query_job], resources={
        "warehouse": Warehouse(credentials=Credentials(user="reader", password=EnvVar("BERTH_TEST_PASSWORD")))})
    CALLS.clear()
    outcome, events = _run(defs.get_job_def("query_job"), {"resources": {"warehouse": {"config": {
        "schema_name": "sales"}}}})
    assert outcome == RunOutcome.SUCCESS, [event.message for event in events]
    assert CALLS == ["setup credentials reader", "setup warehouse as reader", "teardown warehouse",
                     "teardown credentials reader"]
    # as in Dagster, the nested resource's config is not part of the run config schema
    printed = defs.get_job_def("query_job").run_config_schema.print_type()
    assert "warehouse?: { config?: { schema_name?: (String | { env: String })? } }" in printed
    assert "BERTH_TEST_PASSWORD" not in printed and "s3cr3t" not in printed


class Bucket(ConfigurableResource):
    credentials: ResourceDependency[Credentials]
    naming: ResourceDependency[object]
    region: str

    def path(self, name: str) -> str:
        return f"{self.region}/{self.credentials.user}/{self.naming(name)}"


@resource(config_schema={"prefix": str})
def namer(init_context):  # type: ignore[no-untyped-def]
    return lambda name: f"{init_context.resource_config['prefix']}-{name}"


@op
def store(context, bucket: Bucket) -> str:  # type: ignore[no-untyped-def]
    context.log.info(bucket.path("report"))
    return bucket.path("report")


@job
def store_job():
    store()


def test_a_resource_dependency_receives_the_top_level_resource_configured_at_launch() -> None:
    credentials = Credentials.configure_at_launch()
    defs = Definitions(jobs=[store_job], resources={
        "credentials": credentials, "naming": namer,
        "bucket": Bucket(credentials=credentials, naming=namer, region="eu")})
    job_def = defs.get_job_def("store_job")
    assert job_def.resource_defs["bucket"].required_resource_keys == {"credentials", "naming"}
    CALLS.clear()
    outcome, events = _run(job_def, {"resources": {"credentials": {"config": {"user": "alice"}},
                                                   "naming": {"config": {"prefix": "v1"}}}})
    assert outcome == RunOutcome.SUCCESS, [event.message for event in events]
    assert "eu/alice/v1-report" in [event.message for event in events if event.step_key == "store"]
    assert CALLS == ["setup credentials alice", "teardown credentials alice"]  # set up once, as a top-level resource


def test_a_resource_configured_at_launch_must_be_bound_at_the_top_level() -> None:
    with pytest.raises(DefinitionError, match="Bucket.credentials: a resource configured at launch"):
        Definitions(jobs=[store_job], resources={
            "naming": namer, "bucket": Bucket(credentials=Credentials.configure_at_launch(), naming=namer,
                                              region="eu")})


def test_a_resource_may_not_be_required_both_by_key_and_by_parameter() -> None:
    with pytest.raises(DefinitionError, match='Op "both": cannot specify resource requirements in both'):
        @op(required_resource_keys={"naming"})
        def both(context, bucket: Bucket):  # type: ignore[no-untyped-def]
            return 1


def test_a_subclass_keeps_the_resource_fields_of_its_parent() -> None:
    class AuditedWarehouse(Warehouse):
        audit_table: str = "audit"

    assert AuditedWarehouse.__berth_resource_fields__ == {"credentials"}
    held = AuditedWarehouse(credentials=Credentials(user="u"))
    shape = held.as_resource_definition().config_field.config_type  # type: ignore[union-attr]
    assert sorted(shape.fields) == ["audit_table", "schema_name"]
