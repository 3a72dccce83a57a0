"""Resources as the API shows them: each op's required resources and the job's resources with their config."""
from berth import Config, ConfigurableResource, Definitions, EnvVar, Field, StringSource, job, op, resource


class Warehouse(ConfigurableResource):
    """Where the tables live."""

    user: str
    password: str
    port: int = 5432


class Notifier(ConfigurableResource):
    channel: str


@resource(config_schema={"bucket": StringSource, "prefix": Field(str, default_value="runs/")},
          description="Object storage for reports.")
def storage(init_context):
    return dict(init_context.resource_config)


class LoadConfig(Config):
    table: str
    limit: int = 10
    dry_run: bool = False


@op
def export(warehouse: Warehouse, config: LoadConfig):
    return config.table


@op(required_resource_keys={"storage", "notifier"})
def archive(context, rows):
    return rows


@op
def notify(notifier: Notifier, rows):
    return rows


@op
def plain():
    return 1


@job
def resources_job():
    rows = export()
    notify(rows)
    archive(rows)
    plain()


defs = Definitions(jobs=[resources_job], resources={
    "warehouse": Warehouse(user="reader", password=EnvVar("WAREHOUSE_PASSWORD"), port=6543),
    "notifier": Notifier.configure_at_launch(),
    "storage": storage,
})
