"""Several config errors at once: missing, unexpected, wrong types inside lists and nested shapes."""
from dagster import Field, job, op


@op(config_schema={"items": [{"name": str, "size": int}], "owner": str, "limits": {"max": int}})
def validate(context):
    return len(context.op_config["items"])


@op(config_schema=Field(int, default_value=1))
def simple(context):
    return context.op_config


@job
def config_error_job():
    validate()
    simple()


CASES = [
    {"job": "config_error_job", "run_config": {"ops": {"validate": {"config": {
        "items": [{"name": "a", "size": 1}], "owner": "me", "limits": {"max": 2}}}}}},
    {"job": "config_error_job", "run_config": {"ops": {"validate": {"config": {
        "items": [{"name": "a", "size": "big"}, {"size": 2}], "limits": {"max": 1, "min": 0}}},
        "simple": {"config": "one"}, "ghost": {}}}},
    {"job": "config_error_job", "run_config": {}},
]
