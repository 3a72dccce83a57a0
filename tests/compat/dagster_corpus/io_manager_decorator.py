"""A custom @io_manager: outputs go through handle_output, inputs come from load_input."""
from dagster import IOManager, Out, io_manager, job, op


class MemoryIOManager(IOManager):
    def __init__(self, prefix):
        self.prefix = prefix
        self.values = {}

    def handle_output(self, context, obj):
        self.values[(context.step_key, context.name)] = obj

    def load_input(self, context):
        stored = self.values[(context.upstream_output.step_key, context.upstream_output.name)]
        return f"{self.prefix}{stored}"


@io_manager(config_schema={"prefix": str})
def memory_io_manager(init_context):
    return MemoryIOManager(init_context.resource_config["prefix"])


@op(out=Out(io_manager_key="memory"))
def produce():
    return "value"


@op
def consume(context, text):
    context.log.info(f"consumed {text}")
    return text


@job(resource_defs={"memory": memory_io_manager})
def io_manager_job():
    consume(produce())


CASES = [{"job": "io_manager_job", "run_config": {"resources": {"memory": {"config": {"prefix": "loaded:"}}}}}]
