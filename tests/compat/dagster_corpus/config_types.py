"""Classic config schemas: scalars, arrays, Noneable, Map, Enum and nested shapes."""
from dagster import Array, Enum, EnumValue, Field, Map, Noneable, Permissive, job, op

SCHEMA = {
    "count": int,
    "ratio": Field(float, default_value=0.5),
    "names": [str],
    "maybe": Field(Noneable(int), is_required=False),
    "weights": Map(str, float),
    "mode": Field(Enum("Mode", [EnumValue("FAST"), EnumValue("SLOW")]), default_value="FAST"),
    "nested": {"depth": Field(int, default_value=2), "tags": Field(Array(str), default_value=[])},
    "extra": Field(Permissive(), is_required=False),
}


@op(config_schema=SCHEMA)
def configured(context):
    context.log.info(f"count={context.op_config['count']} mode={context.op_config['mode']}")
    return {key: context.op_config[key] for key in sorted(context.op_config)}


@job
def config_types_job():
    configured()


CASES = [
    {"job": "config_types_job", "run_config": {"ops": {"configured": {"config": {
        "count": 3, "names": ["a", "b"], "weights": {"x": 1.5}}}}}},
    {"job": "config_types_job", "run_config": {"ops": {"configured": {"config": {
        "count": 3, "names": ["a", "b"], "weights": {"x": 1.5}, "maybe": 4, "mode": "SLOW", "nested": {"tags": ["t"]}, "extra": {"free": 1}}}}}},
    {"job": "config_types_job", "run_config": {"ops": {"configured": {"config": {"names": ["a"], "weights": {}}}}}},
    {"job": "config_types_job", "run_config": {"ops": {"configured": {"config": {
        "weights": {"x": 1.5}, "count": "three", "names": ["a", 2], "mode": "MEDIUM", "bogus": 1}}}}},
]


def in_process_check():
    """Classic config schemas through execute_in_process: the defaults filled in."""
    config = {"ops": {"configured": {"config": {"count": 3, "names": ["a", "b"], "weights": {"x": 1.5}}}}}
    result = config_types_job.execute_in_process(run_config=config)
    return {"success": result.success, "configured": result.output_for_node("configured")}
