"""StringSource, IntSource and BoolSource: {"env": NAME} validates everywhere and is read by the run worker only."""

from __future__ import annotations

import pytest

from berth import BoolSource, Config, EnvVar, Field, IntSource, RunConfig, StringSource, job, op
from berth.config import ConfigSchema, ConfigTypeSnap
from berth.config.sources import FAILED_POST_PROCESSING, resolve_env_sources
from berth.events import EventType
from berth.execution.engine import RunConfigValidationError, RunOutcome, execute_job

SECRET = "hunter2-not-for-anyone"


def _schema(config_type) -> ConfigSchema:  # type: ignore[no-untyped-def]
    return ConfigSchema(config_type.key, config_type.closure())


def test_a_source_takes_a_value_or_an_env_selector_and_nothing_else() -> None:
    schema = _schema(Field({"name": StringSource, "port": IntSource, "debug": BoolSource}).config_type)
    assert schema.validate({"name": "a", "port": 1, "debug": True}).success
    assert schema.validate({"name": {"env": "A"}, "port": {"env": "B"}, "debug": {"env": "C"}}).success
    errors = schema.validate({"name": 7, "port": {"environment": "B"}, "debug": {"env": 1}}).errors
    assert sorted((error.reason, error.path) for error in errors) == [
        ("FIELD_NOT_DEFINED", ("port",)),
        ("RUNTIME_TYPE_MISMATCH", ("debug", "env")),
        ("RUNTIME_TYPE_MISMATCH", ("name",)),
    ]
    assert schema.print_type() == ("{ debug: (Bool | { env: String }) name: (String | { env: String }) "
                                   "port: (Int | { env: String }) }")


def test_validation_keeps_the_variables_name_and_the_worker_reads_its_value() -> None:
    schema = _schema(Field({"token": StringSource, "n": [IntSource], "flag": Field(BoolSource, is_required=False)})
                     .config_type)
    validated = schema.validate({"token": {"env": "TOKEN"}, "n": [1, {"env": "N"}], "flag": {"env": "FLAG"}}).value
    assert validated == {"token": {"env": "TOKEN"}, "n": [1, {"env": "N"}], "flag": {"env": "FLAG"}}
    resolved, errors = resolve_env_sources(schema.types, schema.root_key, validated,
                                           {"TOKEN": SECRET, "N": "42", "FLAG": "false"})
    assert errors == []
    assert resolved == {"token": SECRET, "n": [1, 42], "flag": False}
    assert validated["token"] == {"env": "TOKEN"}  # the input is left as it was


def test_a_missing_or_unconvertible_variable_is_named_without_its_value() -> None:
    schema = _schema(Field({"token": StringSource, "port": IntSource}).config_type)
    _value, errors = resolve_env_sources(schema.types, schema.root_key,
                                         {"token": {"env": "UNSET_VAR"}, "port": {"env": "PORT"}}, {"PORT": SECRET})
    assert [(error.reason, error.path) for error in errors] == [
        (FAILED_POST_PROCESSING, ("token",)), (FAILED_POST_PROCESSING, ("port",))]
    assert '"UNSET_VAR" which is not set' in errors[0].message
    assert '"PORT" cannot be coerced into an int' in errors[1].message
    assert all(SECRET not in error.message for error in errors)


def test_scalar_union_types_travel_in_snapshots() -> None:
    closure = StringSource.closure()
    for snap in closure.values():
        assert ConfigTypeSnap.from_proto(snap.to_proto()) == snap
    assert closure["StringSourceType"].scalar_type_key == "String"
    assert closure[closure["StringSourceType"].non_scalar_type_key].field_names == ["env"]


class ApiConfig(Config):
    token: str
    attempts: int = 1


@op
def sign(config: ApiConfig):  # type: ignore[no-untyped-def]
    return f"{config.token}:{config.attempts}"


@job
def sign_job():
    sign()


def _run(run_config):  # type: ignore[no-untyped-def]
    events = []
    outcome = execute_job(sign_job, run_config, run_id="r1", emit=events.append)
    return outcome, events


def test_an_op_config_reads_env_vars_in_the_worker(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BERTH_TEST_TOKEN", SECRET)
    monkeypatch.setenv("BERTH_TEST_ATTEMPTS", "4")
    run_config = RunConfig(ops={"sign": ApiConfig(token=EnvVar("BERTH_TEST_TOKEN"))}).to_config_dict()
    assert run_config == {"ops": {"sign": {"config": {"token": {"env": "BERTH_TEST_TOKEN"}, "attempts": 1}}}}
    run_config["ops"]["sign"]["config"]["attempts"] = {"env": "BERTH_TEST_ATTEMPTS"}
    outcome, events = _run(run_config)
    assert outcome == RunOutcome.SUCCESS
    # the value reached the op; no event carries it
    assert all(SECRET not in repr(event) for event in events)
    output = next(event for event in events if event.event_type == EventType.STEP_OUTPUT)
    assert output.step_key == "sign"


def test_an_unset_variable_fails_the_run_before_any_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BERTH_TEST_TOKEN", raising=False)
    with pytest.raises(RunConfigValidationError, match='"BERTH_TEST_TOKEN" which is not set') as raised:
        _run({"ops": {"sign": {"config": {"token": {"env": "BERTH_TEST_TOKEN"}}}}})
    assert [error.path for error in raised.value.errors] == [("ops", "sign", "config", "token")]


def test_env_var_int_reads_an_int_variable_and_keeps_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BERTH_TEST_ATTEMPTS", "7")
    attempts = EnvVar.int("BERTH_TEST_ATTEMPTS")
    assert attempts.env_var_name == "BERTH_TEST_ATTEMPTS"
    assert attempts.get_value() == 7
    assert repr(attempts) == "EnvVar.int('BERTH_TEST_ATTEMPTS')"
    monkeypatch.delenv("BERTH_TEST_ATTEMPTS")
    assert attempts.get_value(default=2) == 2
    # given to a Config instance it travels as the variable's name; the worker reads it
    config = ApiConfig(token="t", attempts=EnvVar.int("BERTH_TEST_ATTEMPTS"))
    run_config = RunConfig(ops={"sign": config}).to_config_dict()
    assert run_config["ops"]["sign"]["config"]["attempts"] == {"env": "BERTH_TEST_ATTEMPTS"}
    monkeypatch.setenv("BERTH_TEST_ATTEMPTS", "5")
    assert sign_job.execute_in_process(run_config=run_config).output_for_node("sign") == "t:5"
