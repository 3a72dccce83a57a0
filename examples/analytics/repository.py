"""Example code location "analytics": two named repositories built with @repository."""

from berth import Array, Enum, EnumValue, Field, Noneable, Permissive, Selector, Shape, graph, op, repository


@op(
    config_schema={
        "source": Selector({"table": Field(str), "query": Field(str)}),
        "columns": Field(Array(str), default_value=["id"]),
        "limit": Field(Noneable(int), default_value=None),
        "format": Field(Enum("Format", [EnumValue("csv"), EnumValue("parquet")]), default_value="csv"),
        "options": Field(Permissive({"verbose": Field(bool, default_value=False)})),
        "target": Shape({"bucket": Field(str), "prefix": Field(str, is_required=False)}),
    }
)
def export_table(context):
    """Exports a table; its config exercises every config type."""
    context.log.info(f"exporting with {dict(context.op_config)}")
    return dict(context.op_config)


@graph
def export_graph():
    export_table()


export_job = export_graph.to_job(
    name="export_job",
    config={"ops": {"export_table": {"config": {"source": {"table": "events"}, "target": {"bucket": "b"}}}}},
)


@op
def count_rows() -> int:
    return 42


@op
def report(context, count: int):
    context.log.info(f"{count} rows")


@graph
def daily_report():
    report(count_rows())


@repository
def analytics():
    """Analytics jobs."""
    return [export_job]


@repository
def reporting():
    """Reporting jobs; "daily_report" is also the name of no other job, so it can be inferred."""
    return [daily_report.to_job(name="daily_report")]
