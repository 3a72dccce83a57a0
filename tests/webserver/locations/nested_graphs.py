"""Test-only code location: a job whose graph nests graphs two levels deep, written as in Dagster.

``twice`` holds two invocations of ``add_then_double`` (the second aliased), each holding two
ops; one graph input (``offset``) feeds both inner graphs. The same file runs on Dagster with its
import rewritten, so that the served structure can be compared with Dagster's.
"""

from berth import graph, job, op


@op
def emit_number() -> int:
    return 1


@op
def emit_offset() -> int:
    return 10


@op
def add(n: int, offset: int) -> int:
    return n + offset


@op
def double(n: int) -> int:
    return n * 2


@graph
def add_then_double(n, offset):
    """Adds the offset, then doubles."""
    return double(add(n, offset))


@graph
def twice(n, offset):
    """Runs add_then_double twice with the same offset."""
    return add_then_double.alias("second")(add_then_double(n, offset), offset)


@op
def report(value: int) -> int:
    return value


@job
def nested_job():
    report(twice(emit_number(), emit_offset()))
