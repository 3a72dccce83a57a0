"""StringSource, IntSource and BoolSource in a config_schema: a value, or {"env": NAME} read when the op runs."""
from dagster import BoolSource, Field, IntSource, StringSource, job, op, resource


@resource(config_schema={"user": StringSource, "port": Field(IntSource, default_value=5432)})
def database(init_context):
    config = init_context.resource_config
    return f"{config['user'][:2]}@{config['port']}"


@op(config_schema={"name": StringSource, "dry_run": Field(BoolSource, is_required=False, default_value=True)},
    required_resource_keys={"database"})
def load(context):
    context.log.info(f"loading {context.op_config['name'][:3]} dry_run={context.op_config['dry_run']}")
    return [context.op_config["name"][:3], context.op_config["dry_run"], context.resources.database]


@job(resource_defs={"database": database})
def sources_job():
    load()


CASES = [
    {"job": "sources_job", "run_config": {
        "ops": {"load": {"config": {"name": {"env": "BERTH_CORPUS_SECRET"}, "dry_run": {"env": "BERTH_CORPUS_FLAG"}}}},
        "resources": {"database": {"config": {"user": {"env": "BERTH_CORPUS_SECRET"},
                                              "port": {"env": "BERTH_CORPUS_NUMBER"}}}}}},
    {"job": "sources_job", "run_config": {
        "ops": {"load": {"config": {"name": "orders"}}},
        "resources": {"database": {"config": {"user": "admin", "port": 6543}}}}},
    {"job": "sources_job", "run_config": {
        "ops": {"load": {"config": {"name": 7, "dry_run": {"env": "A", "other": "B"}}}},
        "resources": {"database": {"config": {"user": ["x"], "port": True}}}}},
]
