"""A ConfigurableResource holding another one as a field; the inner one's config nests in the outer's."""
from dagster import ConfigurableResource, Definitions, EnvVar, job, op


class Credentials(ConfigurableResource):
    user: str
    password: str

    def login(self) -> str:
        return f"{self.user}:{len(self.password)}"


class Warehouse(ConfigurableResource):
    credentials: Credentials
    schema_name: str = "public"

    def describe(self) -> str:
        return f"{self.credentials.login()}@{self.schema_name}"


@op
def query(context, warehouse: Warehouse):
    context.log.info(f"querying as {warehouse.describe()}")
    return warehouse.describe()


@job
def nested_resource_job():
    query()


# The multiprocess executor rebuilds the job in each step process: there it binds its resources itself.
@job(resource_defs={"warehouse": Warehouse(credentials=Credentials(user="writer",
                                                                   password=EnvVar("BERTH_CORPUS_SECRET")))})
def nested_resource_multiprocess_job():
    query()


defs = Definitions(
    jobs=[nested_resource_job, nested_resource_multiprocess_job],
    resources={"warehouse": Warehouse(credentials=Credentials(user="reader", password=EnvVar("BERTH_CORPUS_SECRET")))},
)

CASES = [
    {"job": "nested_resource_job"},
    {"job": "nested_resource_job", "run_config": {"resources": {"warehouse": {"config": {"schema_name": "sales"}}}}},
    {"job": "nested_resource_multiprocess_job", "run_config": {"execution": {"config": {"multiprocess": {}}}}},
]
