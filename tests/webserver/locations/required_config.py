"""Test-only code location: ops whose config has required entries (no defaults), and a map.

A launch without config must then fail validation with Dagster's detailed error types.
"""

from berth import Field, Map, Selector, job, op


@op(config_schema={"name": Field(str, description="Who to greet")})
def greet(context) -> str:
    """Greets the configured name; "name" has no default, so config must give it."""
    return f"hello, {context.op_config['name']}"


@job
def greet_job():
    greet()


@op(config_schema={
    "host": Field(str),
    "port": Field(int),
    "counts": Field(Map(str, int), default_value={}),
    "source": Field(Selector({"table": Field(str), "query": Field(str)}), is_required=False),
})
def connect(context) -> None:
    """Needs two entries without defaults, so that both are reported together."""
    context.log.info(f"{context.op_config['host']}:{context.op_config['port']}")


@job
def connect_job():
    connect()
