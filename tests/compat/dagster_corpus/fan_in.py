"""Fan-in: a list of outputs into one input, with op aliases and tags."""
from dagster import job, op


@op(config_schema=int)
def number(context):
    return context.op_config


@op
def add_all(context, values):
    context.log.info(f"adding {values}")
    return sum(values)


@job
def fan_in_job():
    add_all([number.alias(f"n{i}")() for i in range(3)])


CASES = [{"job": "fan_in_job", "run_config": {"ops": {f"n{i}": {"config": i * 10} for i in range(3)}}}]
