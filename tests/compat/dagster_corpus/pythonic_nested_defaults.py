"""Defaults inside nested Config models are filled when the outer model is given partly or not at all."""

from dagster import Config, job, op


class Retry(Config):
    attempts: int = 3
    backoff: float = 1.5


class Source(Config):
    url: str = "https://example.com"
    retry: Retry = Retry()
    headers: list[str] = []


class ExtractConfig(Config):
    source: Source = Source()
    limit: int


@op
def extract(context, config: ExtractConfig):
    context.log.info(f"{config.source.url} attempts={config.source.retry.attempts} limit={config.limit}")
    return [config.source.url, config.source.retry.attempts, config.source.retry.backoff, config.limit]


@job
def extract_job():
    extract()


CASES = [
    {"job": "extract_job", "run_config": {"ops": {"extract": {"config": {"limit": 5}}}}},
    {"job": "extract_job", "run_config": {"ops": {"extract": {"config": {
        "limit": 1, "source": {"retry": {"attempts": 9}}}}}}},
    {"job": "extract_job", "run_config": {"ops": {"extract": {"config": {
        "limit": 1, "source": {"retry": {"attempts": "x"}}}}}}},
]
