"""ConfigurableResource as a typed op parameter, bound through Definitions(resources=...)."""
from dagster import ConfigurableResource, Definitions, OpExecutionContext, job, op


class WeatherApi(ConfigurableResource):
    base_url: str
    timeout: int = 10

    def describe(self, city: str) -> str:
        return f"{self.base_url}/{city}?timeout={self.timeout}"


@op
def forecast(context: OpExecutionContext, weather: WeatherApi) -> str:
    url = weather.describe("paris")
    context.log.info(f"calling {url}")
    return url


@op
def shout(text: str) -> str:
    return text.upper()


@job
def weather_job():
    shout(forecast())


defs = Definitions(jobs=[weather_job], resources={"weather": WeatherApi(base_url="https://api.example")})

CASES = [
    {"job": "weather_job"},
    {"job": "weather_job", "run_config": {"resources": {"weather": {"config": {"timeout": 3}}}}},
]
