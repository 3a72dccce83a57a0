"""Resources on the multiprocess executor: each step process sets up the resources it needs."""
from dagster import ConfigurableResource, job, op


class Multiplier(ConfigurableResource):
    factor: int

    def apply(self, value: int) -> int:
        return value * self.factor


@op
def seed():
    return 6


@op
def multiply(context, value, multiplier: Multiplier):
    context.log.info(f"multiplying {value} by {multiplier.factor}")
    return multiplier.apply(value)


@job(resource_defs={"multiplier": Multiplier(factor=4)})
def resource_multiprocess_job():
    multiply(seed())


CASES = [{"job": "resource_multiprocess_job", "run_config": {"execution": {"config": {"multiprocess": {}}}}}]
