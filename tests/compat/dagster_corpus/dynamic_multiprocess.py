"""Dynamic outputs on the multiprocess executor."""
from dagster import DynamicOut, DynamicOutput, job, op


@op(out=DynamicOut())
def parts():
    for index in range(3):
        yield DynamicOutput(index, mapping_key=f"p{index}")


@op
def triple(context, value):
    context.log.info(f"triple {value}")
    return value * 3


@op
def gather(values):
    return sorted(values)


@job
def dynamic_multiprocess_job():
    gather(parts().map(triple).collect())


CASES = [{"job": "dynamic_multiprocess_job", "run_config": {"execution": {"config": {"multiprocess": {}}}}}]
