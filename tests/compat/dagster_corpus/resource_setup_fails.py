"""A resource that fails while it is set up fails the run before any op runs."""
from dagster import job, op, resource


@resource
def broken_database(_init_context):
    raise ConnectionError("database is down")


@op(required_resource_keys={"database"})
def query(context):
    return 1


@op
def unrelated():
    return 2


@job(resource_defs={"database": broken_database})
def broken_resource_job():
    query()
    unrelated()


CASES = [{"job": "broken_resource_job"}]


def in_process_check():
    """A resource that fails in setup: a failed result, or the resource error raised."""
    result = broken_resource_job.execute_in_process(raise_on_error=False)
    seen = {"success": result.success, "status": result.dagster_run.status.value,
            "step_events": [event.event_type_value for event in result.all_node_events]}
    try:
        broken_resource_job.execute_in_process()
    except Exception as exc:  # noqa: BLE001 - the check records which error class each side raises
        seen["raised"] = type(exc).__name__
        seen["cause"] = type(exc.__cause__).__name__
    return seen
