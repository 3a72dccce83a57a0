"""EnvVar in an op's Config: str, int and bool fields take {"env": NAME} in run config (Dagster's *Source types)."""
from dagster import Config, EnvVar, RunConfig, job, op


class ApiConfig(Config):
    token: str
    attempts: int = 1
    verbose: bool = False
    region: str = "eu"


@op
def sign(context, config: ApiConfig):
    context.log.info(f"token of {len(config.token)} characters, {config.attempts} attempts, verbose={config.verbose}")
    return f"{config.region}:{config.token[:2]}:{config.attempts}:{config.verbose}"


@job
def op_env_job():
    sign()


@job(config=RunConfig(ops={"sign": ApiConfig(token=EnvVar("BERTH_CORPUS_SECRET"))}))
def op_env_default_job():
    sign()


CASES = [
    {"job": "op_env_job", "run_config": {"ops": {"sign": {"config": {
        "token": {"env": "BERTH_CORPUS_SECRET"}, "attempts": {"env": "BERTH_CORPUS_NUMBER"},
        "verbose": {"env": "BERTH_CORPUS_FLAG"}}}}}},
    {"job": "op_env_job", "run_config": {"ops": {"sign": {"config": {"token": "plain", "attempts": 2}}}}},
    {"job": "op_env_job", "run_config": {"ops": {"sign": {"config": {"token": {"environment": "X"}}}}}},
    {"job": "op_env_job", "run_config": {"ops": {"sign": {"config": {"token": {"env": 3}, "attempts": "two"}}}}},
    {"job": "op_env_default_job"},
    {"job": "op_env_default_job", "run_config": {"ops": {"sign": {"config": {"token": "given"}}}}},
    {"job": "op_env_job", "run_config": {"ops": {"sign": {"config": {"token": {"env": "BERTH_CORPUS_SECRET"}}}},
                                         "execution": {"config": {"multiprocess": {}}}}},
]
