"""A job's default run config written with RunConfig and Config instances."""
from dagster import Config, RunConfig, job, op


class ScaleConfig(Config):
    factor: int
    label: str = "scaled"


@op
def base():
    return 7


@op
def scale(context, config: ScaleConfig, value):
    context.log.info(f"{config.label}: {value} x {config.factor}")
    return value * config.factor


@job(config=RunConfig(ops={"scale": ScaleConfig(factor=3)}))
def scale_job():
    scale(base())


CASES = [
    {"job": "scale_job"},
    {"job": "scale_job", "run_config": {"ops": {"scale": {"config": {"factor": 10, "label": "big"}}}}},
]
