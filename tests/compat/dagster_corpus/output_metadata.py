"""Output metadata from Output(metadata=...) and context.add_output_metadata."""
from dagster import Out, Output, job, op


@op
def rows():
    return Output([1, 2, 3], metadata={"row_count": 3, "source": "memory"})


@op
def stats(context, values):
    context.add_output_metadata({"mean": sum(values) / len(values), "ok": True})
    return max(values)


@op(out={"small": Out(), "large": Out()})
def partition(values):
    yield Output([v for v in values if v < 2], "small", metadata={"kind": "small"})
    yield Output([v for v in values if v >= 2], "large")


@job
def metadata_job():
    values = rows()
    stats(values)
    partition(values)


CASES = [{"job": "metadata_job"}]
