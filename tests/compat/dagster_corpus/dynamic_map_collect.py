"""DynamicOut fanned out with .map and gathered with .collect."""
from dagster import DynamicOut, DynamicOutput, job, op


@op(out=DynamicOut())
def files():
    for name in ["a", "b", "c"]:
        yield DynamicOutput(name * 2, mapping_key=name)


@op
def size(context, content):
    context.log.info(f"size of {content}")
    return len(content)


@op
def total(sizes):
    return sum(sizes)


@job
def dynamic_job():
    total(files().map(size).collect())


CASES = [{"job": "dynamic_job"}]


def in_process_check():
    """Dynamic outputs and mapped ops answer dicts by mapping key; the collecting op its value."""
    result = dynamic_job.execute_in_process()
    return {"success": result.success, "files": result.output_for_node("files"),
            "size": result.output_for_node("size"), "total": result.output_for_node("total"),
            "size_steps": sorted({event.step_key for event in result.events_for_node("size")})}
