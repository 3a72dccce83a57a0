"""get_dagster_logger(): the logging example of Dagster's docs, plus a child logger and a generator op."""
from dagster import Out, Output, get_dagster_logger, job, op


@op
def ambitious_op():
    my_logger = get_dagster_logger()
    try:
        x = 1 / 0
        return x
    except ZeroDivisionError:
        my_logger.error("Couldn't divide by zero!")
    return None


@op(out={"rows": Out(), "skipped": Out()})
def split_rows():
    logger = get_dagster_logger("splitter")
    logger.info("splitting %d rows", 3)
    yield Output([1, 2], "rows")
    logger.warning("one row skipped")
    yield Output([3], "skipped")


@op
def count(rows):
    get_dagster_logger().debug(f"counting {len(rows)} rows")
    return len(rows)


@job
def logging_job():
    ambitious_op()
    rows, _skipped = split_rows()
    count(rows)


CASES = [{"job": "logging_job"}]
