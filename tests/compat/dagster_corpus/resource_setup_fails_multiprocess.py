"""On the multiprocess executor too, a resource failing in setup fails the run before any op runs."""
from dagster import ConfigurableResource, job, op


class FlakyService(ConfigurableResource):
    endpoint: str

    def setup_for_execution(self, context) -> None:
        raise TimeoutError(f"{self.endpoint} did not answer")


@op
def ping(service: FlakyService):
    return service.endpoint


@op
def local_work():
    return "done"


@job(resource_defs={"service": FlakyService(endpoint="tcp://nowhere")})
def failing_service_job():
    ping()
    local_work()


CASES = [{"job": "failing_service_job", "run_config": {"execution": {"config": {"multiprocess": {}}}}}]
