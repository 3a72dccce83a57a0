"""Config errors carry the details of their reason, as Dagster's error data does.

Validated from definitions and from the protocol round trip (the webserver's side): both agree.
"""

from __future__ import annotations

from typing import Any

from berth import Field, Map, Selector
from berth.config import ConfigError, ConfigSchema, resolve_config_type
from berth.config.errors import MapKeyEntry, MapValueEntry


def _errors(schema: Any, value: Any) -> list[ConfigError]:
    config_type = resolve_config_type(schema)
    local = ConfigSchema(config_type.key, config_type.closure())
    remote = ConfigSchema.from_protos(config_type.key, local.to_protos())
    errors, remote_errors = local.validate(value).errors, remote.validate(value).errors
    assert errors == remote_errors
    return errors


SCHEMA = {"a": Field(int), "b": Field(str, description="the b"), "c": Field(bool, default_value=True)}


def test_missing_fields_carry_their_field_snaps_sorted_by_name() -> None:
    [error] = _errors({"outer": SCHEMA}, {"outer": {}})
    assert error.reason == "MISSING_REQUIRED_FIELDS"
    assert error.field_names == ("a", "b")
    assert [(f.name, f.type_key, f.is_required) for f in error.fields] == [("a", "Int", True), ("b", "String", True)]
    assert error.stack == ("outer",) and error.path == ("outer",)
    [error] = _errors({"outer": SCHEMA}, {"outer": {"a": 1}})
    assert error.reason == "MISSING_REQUIRED_FIELD"
    assert error.field_names == ("b",) and error.fields[0].description == "the b"


def test_undefined_fields_are_named() -> None:
    [error] = _errors(SCHEMA, {"a": 1, "b": "x", "z": 0})
    assert (error.reason, error.field_names) == ("FIELD_NOT_DEFINED", ("z",))
    [error] = _errors(SCHEMA, {"a": 1, "b": "x", "z": 0, "y": 0})
    assert (error.reason, error.field_names) == ("FIELDS_NOT_DEFINED", ("y", "z"))


def test_mismatches_carry_the_repr_of_the_value() -> None:
    errors = _errors(SCHEMA, {"a": "one", "b": None, "c": [1]})
    assert sorted((e.path, e.value_rep) for e in errors) == [(("a",), "'one'"), (("b",), "None"), (("c",), "[1]")]
    assert {e.reason for e in errors} == {"RUNTIME_TYPE_MISMATCH"}


def test_selector_errors_list_the_incoming_fields() -> None:
    schema = {"source": Selector({"table": str, "query": str})}
    [error] = _errors(schema, {"source": {"table": "t", "query": "q"}})
    assert (error.reason, error.incoming_fields) == ("SELECTOR_FIELD_ERROR", ("query", "table"))
    [error] = _errors(schema, {"source": {}})
    assert (error.reason, error.incoming_fields) == ("SELECTOR_FIELD_ERROR", ())


def test_map_steps_tell_a_bad_key_from_a_bad_value() -> None:
    errors = _errors({"counts": Map(int, int)}, {"counts": {"k": "v"}})
    stacks = sorted((e.stack[-1].__class__.__name__, e.path) for e in errors)
    assert stacks == [("MapKeyEntry", ("counts", "k")), ("MapValueEntry", ("counts", "k"))]
    key_error = next(e for e in errors if isinstance(e.stack[-1], MapKeyEntry))
    value_error = next(e for e in errors if isinstance(e.stack[-1], MapValueEntry))
    # Dagster's wording of map steps.
    assert "at path root:counts:'k':key" in key_error.message
    assert "at path root:counts:'k':value" in value_error.message
