"""ResourceDependency: a ConfigurableResource that uses another top-level resource, configured at launch."""
from dagster import ConfigurableResource, Definitions, ResourceDependency, job, op, resource


class Credentials(ConfigurableResource):
    user: str
    password: str = "pw"


@resource(config_schema={"prefix": str})
def namer(init_context):
    return lambda name: f"{init_context.resource_config['prefix']}-{name}"


class Bucket(ConfigurableResource):
    credentials: ResourceDependency[Credentials]
    naming: ResourceDependency[object]
    region: str

    def path(self, name: str) -> str:
        return f"{self.region}/{self.credentials.user}/{self.naming(name)}"


@op
def store(context, bucket: Bucket):
    path = bucket.path("report")
    context.log.info(f"storing at {path}")
    return path


@op(required_resource_keys={"credentials"})
def who(context):
    return context.resources.credentials.user


@job
def dependency_job():
    store()
    who()


credentials = Credentials.configure_at_launch()
defs = Definitions(
    jobs=[dependency_job],
    resources={"credentials": credentials, "naming": namer,
               "bucket": Bucket(credentials=credentials, naming=namer, region="us-east-1")},
)

CASES = [
    {"job": "dependency_job", "run_config": {"resources": {
        "credentials": {"config": {"user": "alice"}}, "naming": {"config": {"prefix": "v1"}}}}},
    {"job": "dependency_job", "run_config": {"resources": {"naming": {"config": {"prefix": "v1"}}}}},
]
