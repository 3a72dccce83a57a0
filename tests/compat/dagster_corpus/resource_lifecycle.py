"""ConfigurableResource setup_for_execution / teardown_after_execution around the run."""
from dagster import ConfigurableResource, InitResourceContext, job, op
from pydantic import PrivateAttr


class Counter(ConfigurableResource):
    start: int = 0
    _value: int = PrivateAttr(default=-1)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._value = self.start * 10

    def next(self) -> int:
        self._value += 1
        return self._value


@op
def count_twice(context, counter: Counter):
    first, second = counter.next(), counter.next()
    context.log.info(f"counted {first} then {second}")
    return [first, second]


@job(resource_defs={"counter": Counter(start=4)})
def lifecycle_job():
    count_twice()


CASES = [{"job": "lifecycle_job"}, {"job": "lifecycle_job", "run_config": {"resources": {"counter": {"config": {"start": 7}}}}}]
