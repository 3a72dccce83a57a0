"""The config validation matrix: every reason, nested paths, defaults, every type.

Each schema is validated twice: from the definition-side types and from its round trip through
the protocol messages (what the webserver does), and both must agree.
"""

from __future__ import annotations

from typing import Any

import pytest

from berth import Any as AnyType
from berth import Array, Enum, EnumValue, Field, Map, Noneable, Permissive, Selector, Shape
from berth.config import ConfigDefinitionError, ConfigSchema, ValidationResult, resolve_config_type


def _validate(schema: Any, value: Any) -> ValidationResult:
    config_type = resolve_config_type(schema)
    local = ConfigSchema(config_type.key, config_type.closure())
    remote = ConfigSchema.from_protos(config_type.key, local.to_protos())
    result, remote_result = local.validate(value), remote.validate(value)
    assert result == remote_result, "validation from protos must equal validation from definitions"
    return result


def _reasons(result: ValidationResult) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((error.reason, error.path) for error in result.errors)


OPS_SCHEMA = {"ops": {"say_hello": {"config": {"name": str, "times": Field(int, default_value=1)}}}}


def test_valid_value_fills_defaults() -> None:
    result = _validate(OPS_SCHEMA, {"ops": {"say_hello": {"config": {"name": "ann"}}}})
    assert result.success and result.errors == []
    assert result.value == {"ops": {"say_hello": {"config": {"name": "ann", "times": 1}}}}


def test_missing_required_field_message_and_path() -> None:
    result = _validate(OPS_SCHEMA, {"ops": {"say_hello": {"config": {}}}})
    assert not result.success
    [error] = result.errors
    assert error.reason == "MISSING_REQUIRED_FIELD"
    assert error.path == ("ops", "say_hello", "config")
    assert error.message == 'Missing required config entry "name" at path root:ops:say_hello:config.'


def test_missing_required_field_at_the_root() -> None:
    [error] = _validate({"a": int}, {}).errors
    assert error.message == 'Missing required config entry "a" at the root.'
    assert error.path == ()


def test_missing_required_fields() -> None:
    [error] = _validate({"a": int, "b": str, "c": Field(int, is_required=False)}, {}).errors
    assert error.reason == "MISSING_REQUIRED_FIELDS"
    assert error.message == "Missing required config entries ['a', 'b'] at the root."


def test_unexpected_field() -> None:
    [error] = _validate({"ops": {"a": Field(int, is_required=False)}}, {"ops": {"x": 1}}).errors
    assert error.reason == "FIELD_NOT_DEFINED"
    assert error.path == ("ops",)
    assert error.message == 'Received unexpected config entry "x" at path root:ops. Expected: "{ a?: Int }".'


def test_unexpected_fields() -> None:
    [error] = _validate({"a": Field(int, is_required=False)}, {"x": 1, "y": 2}).errors
    assert error.reason == "FIELDS_NOT_DEFINED"
    assert error.message.startswith('Received unexpected config entries "[\'x\', \'y\']" at the root.')


def test_scalar_mismatch_message() -> None:
    [error] = _validate({"ops": {"extract": {"config": {"rows": int}}}},
                        {"ops": {"extract": {"config": {"rows": "abc"}}}}).errors
    assert error.reason == "RUNTIME_TYPE_MISMATCH"
    assert error.path == ("ops", "extract", "config", "rows")
    assert error.message == ('Invalid scalar at path root:ops:extract:config:rows. Value "abc" of type '
                             '"<class \'str\'>" is not valid for expected type "Int".')


@pytest.mark.parametrize("schema, good, bad", [
    (int, 3, True),
    (int, -1, 1.5),
    (float, 1.5, "x"),
    (float, 2, False),
    (str, "s", 3),
    (bool, False, 0),
])
def test_scalars(schema: Any, good: Any, bad: Any) -> None:
    assert _validate({"v": schema}, {"v": good}).success
    [error] = _validate({"v": schema}, {"v": bad}).errors
    assert error.reason == "RUNTIME_TYPE_MISMATCH" and error.path == ("v",)


def test_every_error_is_reported_at_once() -> None:
    schema = {"a": int, "b": {"c": str, "d": [int]}, "e": Field(bool, default_value=True)}
    result = _validate(schema, {"b": {"c": 1, "d": [1, "two", 3, "four"]}, "zzz": 0})
    assert _reasons(result) == [
        ("FIELD_NOT_DEFINED", ()),
        ("MISSING_REQUIRED_FIELD", ()),
        ("RUNTIME_TYPE_MISMATCH", ("b", "c")),
        ("RUNTIME_TYPE_MISMATCH", ("b", "d", "1")),
        ("RUNTIME_TYPE_MISMATCH", ("b", "d", "3")),
    ]
    list_error = next(e for e in result.errors if e.path == ("b", "d", "1"))
    assert "at path root:b:d[1]." in list_error.message


def test_array() -> None:
    assert _validate({"xs": Array(int)}, {"xs": [1, 2]}).value == {"xs": [1, 2]}
    [error] = _validate({"xs": [int]}, {"xs": 5}).errors
    assert error.message == 'Value at path root:xs must be list. Expected: "[Int]"'


def test_array_of_shapes_fills_defaults_per_element() -> None:
    result = _validate({"xs": [{"a": Field(int, default_value=7), "b": str}]}, {"xs": [{"b": "x"}, {"b": "y", "a": 1}]})
    assert result.value == {"xs": [{"a": 7, "b": "x"}, {"a": 1, "b": "y"}]}


def test_noneable() -> None:
    schema = {"limit": Field(Noneable(int))}
    assert _validate(schema, {}).value == {"limit": None}
    assert _validate(schema, {"limit": None}).value == {"limit": None}
    assert _validate(schema, {"limit": 3}).value == {"limit": 3}
    [error] = _validate(schema, {"limit": "3"}).errors
    assert error.path == ("limit",)


def test_none_where_not_allowed() -> None:
    [error] = _validate({"a": int}, {"a": None}).errors
    assert error.reason == "RUNTIME_TYPE_MISMATCH"
    assert error.message == 'Value at path root:a must not be None. Expected "Int"'


def test_enum() -> None:
    schema = {"format": Enum("Format", [EnumValue("csv"), EnumValue("parquet")])}
    assert _validate(schema, {"format": "parquet"}).success
    [error] = _validate(schema, {"format": "xml"}).errors
    assert error.message == "Value at path root:format not in enum type Format got xml"
    [error] = _validate(schema, {"format": 1}).errors
    assert error.message == "Value at path root:format for enum type Format must be a string"


def test_map() -> None:
    schema = {"counts": Map(str, int)}
    assert _validate(schema, {"counts": {"a": 1, "b": 2}}).value == {"counts": {"a": 1, "b": 2}}
    [error] = _validate(schema, {"counts": {"a": "x"}}).errors
    assert error.path == ("counts", "a") and error.reason == "RUNTIME_TYPE_MISMATCH"
    [error] = _validate(schema, {"counts": [1]}).errors
    assert error.message.startswith("Value at path root:counts must be dict.")


def test_permissive_checks_known_fields_and_keeps_others() -> None:
    schema = {"options": Permissive({"verbose": Field(bool, default_value=False)})}
    assert _validate(schema, {"options": {"extra": [1]}}).value == {"options": {"extra": [1], "verbose": False}}
    assert _validate(schema, {}).value == {"options": {"verbose": False}}
    [error] = _validate(schema, {"options": {"verbose": "yes"}}).errors
    assert error.path == ("options", "verbose")


def test_selector() -> None:
    schema = {"source": Selector({"table": str, "query": str})}
    assert _validate(schema, {"source": {"table": "events"}}).value == {"source": {"table": "events"}}
    [error] = _validate(schema, {"source": {"table": "a", "query": "b"}}).errors
    assert error.reason == "SELECTOR_FIELD_ERROR"
    assert error.message == ("You can only specify a single field at path root:source. You specified "
                             "['query', 'table']. The available fields are ['query', 'table']")
    [error] = _validate(schema, {"source": {}}).errors
    assert error.reason == "SELECTOR_FIELD_ERROR" and error.message.startswith("Must specify a field at path root:source")
    [error] = _validate(schema, {"source": {"file": "x"}}).errors
    assert error.reason == "FIELD_NOT_DEFINED" and error.path == ("source",)
    [error] = _validate(schema, {"source": "events"}).errors
    assert error.message == "Value for selector type at path root:source must be a dict"


def test_selector_with_default_and_yaml_none() -> None:
    schema = {"mode": Field(Selector({"fast": {"level": Field(int, default_value=2)}, "slow": {}}),
                            default_value={"fast": {}})}
    assert _validate(schema, {}).value == {"mode": {"fast": {"level": 2}}}
    assert _validate(schema, {"mode": {"slow": None}}).value == {"mode": {"slow": {}}}


def test_any_accepts_anything() -> None:
    value = {"x": [1, {"y": None}], "z": object.__name__}
    assert _validate({"blob": AnyType}, {"blob": value}).value == {"blob": value}


def test_shape_of_all_optional_fields_is_optional_with_filled_default() -> None:
    schema = {"outer": {"inner": {"n": Field(int, default_value=5)}, "s": Field(str, is_required=False)}}
    field = Field(schema)
    assert not field.is_required
    assert field.default_value == {"outer": {"inner": {"n": 5}}}
    assert _validate(schema, None).value == {"outer": {"inner": {"n": 5}}}


def test_explicit_defaults_are_validated_and_filled() -> None:
    field = Field({"a": Field(int, default_value=1), "b": int}, default_value={"b": 2})
    assert field.default_value == {"a": 1, "b": 2}
    with pytest.raises(ConfigDefinitionError):
        Field(int, default_value="nope")
    with pytest.raises(ConfigDefinitionError):
        Field(int, default_value=1, is_required=True)


def test_type_keys_are_dagster_style_and_stable() -> None:
    assert resolve_config_type(int).key == "Int"
    assert resolve_config_type([str]).key == "Array.String"
    assert Noneable(int).key == "Noneable.Int"
    assert Map(str, int).key == "Map.String.Int"
    assert Shape({"a": int}).key.startswith("Shape.")
    assert Selector({"a": int}).key.startswith("Selector.")
    assert Permissive({"a": int}).key.startswith("Permissive.")
    assert Shape({"a": int, "b": str}).key == Shape({"b": str, "a": int}).key
    assert Shape({"a": int}).key != Shape({"a": Field(int, default_value=1)}).key


def test_invalid_schemas_are_rejected() -> None:
    with pytest.raises(ConfigDefinitionError):
        resolve_config_type([int, str])
    with pytest.raises(ConfigDefinitionError):
        resolve_config_type(object())
