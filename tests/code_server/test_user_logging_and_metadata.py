"""get_dagster_logger() records become step log lines; MetadataValue entries reach the output event."""

from __future__ import annotations

import logging

from berth import MetadataValue, Output, get_dagster_logger, job, op
from berth.events import EventType
from berth.execution.engine import RunOutcome, execute_job


@op
def chatty():  # type: ignore[no-untyped-def]
    get_dagster_logger().warning("careful: %s", "hot")
    get_dagster_logger("child").debug("details")
    yield Output(1, metadata={"doc": MetadataValue.md("# title"), "n": MetadataValue.int(3)})
    get_dagster_logger().info("after the output")


@job
def chatty_job():
    chatty()


def test_user_logger_lines_and_metadata_values_are_step_events() -> None:
    events = []
    assert execute_job(chatty_job, {}, run_id="r1", emit=events.append) == RunOutcome.SUCCESS
    lines = [(event.step_key, event.level, event.message) for event in events if event.event_type is None]
    assert lines == [("chatty", logging.WARNING, "careful: hot"), ("chatty", logging.DEBUG, "details"),
                     ("chatty", logging.INFO, "after the output")]
    (output,) = [event for event in events if event.event_type == EventType.STEP_OUTPUT]
    assert output.metadata["entries"] == {"doc": "# title", "n": 3}


def test_outside_an_op_the_user_logger_is_a_plain_logger() -> None:
    logger = get_dagster_logger()
    assert not logger.handlers  # nothing is captured when no op runs
    assert get_dagster_logger("x").parent is logger
