"""A ConfigurableIOManager as the job's io_manager, with one output on another IO manager."""
from dagster import ConfigurableIOManager, Definitions, Out, job, op

STORE = {}


class TaggingIOManager(ConfigurableIOManager):
    tag: str

    def handle_output(self, context, obj):
        STORE[(self.tag, context.step_key, context.name)] = obj

    def load_input(self, context):
        upstream = context.upstream_output
        return [self.tag, STORE[(self.tag, upstream.step_key, upstream.name)]]


@op(out={"left": Out(), "right": Out(io_manager_key="other_io")})
def split():
    return 1, 2


@op
def show(context, left, right):
    context.log.info(f"left={left} right={right}")
    return [left, right]


@job
def tagging_job():
    left, right = split()
    show(left, right)


defs = Definitions(jobs=[tagging_job], resources={"io_manager": TaggingIOManager(tag="main"),
                                                  "other_io": TaggingIOManager(tag="other")})

CASES = [{"job": "tagging_job"}]
