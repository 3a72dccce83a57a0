"""EnvVar: a resource field read from the environment of the process that runs the op."""
from dagster import ConfigurableResource, Definitions, EnvVar, job, op


class ApiClient(ConfigurableResource):
    token: str
    region: str = "eu"

    def signature(self) -> str:
        return f"{self.region}:{len(self.token)}:{self.token[:2]}"


@op
def call_api(context, api: ApiClient):
    context.log.info(f"signed as {api.signature()}")
    return api.signature()


@job
def env_var_job():
    call_api()


defs = Definitions(jobs=[env_var_job], resources={"api": ApiClient(token=EnvVar("BERTH_CORPUS_SECRET"))})

CASES = [{"job": "env_var_job"}]
