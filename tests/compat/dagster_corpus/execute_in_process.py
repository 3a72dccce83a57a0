"""A job and its unit test as Dagster's docs write them: execute_in_process with resources and op selection."""
from dagster import ConfigurableResource, EnvVar, graph, job, op


class Multiplier(ConfigurableResource):
    factor: int


@op
def numbers():
    return [1, 2, 3]


@op
def scale(numbers, multiplier: Multiplier):
    return [number * multiplier.factor for number in numbers]


@op
def add(values):
    return sum(values)


@graph
def pipeline():
    return add(scale(numbers()))


@job(resource_defs={"multiplier": Multiplier(factor=EnvVar.int("BERTH_CORPUS_NUMBER"))})
def scaled_job():
    add(scale(numbers()))


CASES = [{"job": "scaled_job"}]


def in_process_check():
    """What a user's test asserts: outputs, a resource given at the call, a subset, a graph's output."""
    import os

    os.environ.setdefault("BERTH_CORPUS_NUMBER", "3")
    result = scaled_job.execute_in_process()
    seen = {"success": result.success, "add": result.output_for_node("add"), "scale": result.output_for_node("scale"),
            "int_env_var": EnvVar.int("BERTH_CORPUS_NUMBER").get_value()}
    seen["with_resource"] = scaled_job.execute_in_process(
        resources={"multiplier": Multiplier(factor=10)}).output_for_node("add")
    subset = scaled_job.execute_in_process(op_selection=["numbers"])
    seen["subset"] = [subset.success, subset.output_for_node("numbers")]
    graph_result = pipeline.execute_in_process(resources={"multiplier": Multiplier(factor=2)})
    seen["graph"] = [graph_result.success, graph_result.output_value()]
    return seen
