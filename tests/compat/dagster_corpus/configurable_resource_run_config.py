"""A ConfigurableResource whose required field comes from run config (resources: {name: {config: ...}})."""
from dagster import ConfigurableResource, Definitions, job, op


class Warehouse(ConfigurableResource):
    schema_name: str
    batch_size: int = 100


@op
def load(context, warehouse: Warehouse):
    context.log.info(f"loading into {warehouse.schema_name} by {warehouse.batch_size}")
    return f"{warehouse.schema_name}:{warehouse.batch_size}"


@job
def warehouse_job():
    load()


defs = Definitions(jobs=[warehouse_job], resources={"warehouse": Warehouse.configure_at_launch(batch_size=50)})

CASES = [
    {"job": "warehouse_job", "run_config": {"resources": {"warehouse": {"config": {"schema_name": "staging"}}}}},
    {"job": "warehouse_job", "run_config": {"resources": {"warehouse": {"config": {"schema_name": "raw",
                                                                                   "batch_size": 7}}}}},
    {"job": "warehouse_job"},
    {"job": "warehouse_job", "run_config": {"resources": {"warehouse": {"config": {"batch_size": "many"}}}}},
]
