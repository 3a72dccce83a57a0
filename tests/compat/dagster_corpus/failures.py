"""A failing op: its downstream op is skipped, an independent branch still runs."""
from dagster import Failure, job, op


@op
def source():
    return 10


@op
def breaks(value):
    raise Failure(description=f"cannot handle {value}")


@op
def downstream(value):
    return value


@op
def independent(value):
    return value * 2


@job
def failure_job():
    value = source()
    downstream(breaks(value))
    independent(value)


CASES = [{"job": "failure_job"}]


def in_process_check():
    """A user's test of a failing job: the result without raising, then the raised Failure."""
    result = failure_job.execute_in_process(raise_on_error=False)
    seen = {"success": result.success, "status": result.dagster_run.status.value,
            "independent": result.output_for_node("independent"),
            "failed": sorted(event.step_key for event in result.get_step_failure_events()),
            "succeeded": sorted(event.step_key for event in result.get_step_success_events()),
            "breaks_events": [event.event_type_value for event in result.events_for_node("breaks")
                              if event.is_step_start or event.is_step_failure or event.is_step_success]}
    try:
        failure_job.execute_in_process()
    except Failure as exc:
        seen["raised"] = [type(exc).__name__, exc.description]
    return seen
