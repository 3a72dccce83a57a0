"""Multiple outputs, one optional and not produced: its downstream op is skipped."""
from dagster import Out, Output, job, op


@op(out={"evens": Out(), "odds": Out(is_required=False)})
def split_numbers():
    yield Output([2, 4], "evens")


@op
def count(context, values):
    context.log.info(f"counting {values}")
    return len(values)


@job
def multi_output_job():
    evens, odds = split_numbers()
    count(evens)
    count.alias("count_odds")(odds)


CASES = [{"job": "multi_output_job"}]
