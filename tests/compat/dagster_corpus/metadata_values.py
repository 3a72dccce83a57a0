"""MetadataValue in output metadata, as Dagster's docs attach a preview, a link and counts to an output."""
from dagster import MetadataValue, OpExecutionContext, Output, job, op


@op
def build_report(context: OpExecutionContext):
    rows = [{"city": "paris", "n": 3}, {"city": "rome", "n": 5}]
    preview = "\n".join(f"| {row['city']} | {row['n']} |" for row in rows)
    context.add_output_metadata({"preview": MetadataValue.md(preview), "rows": MetadataValue.int(len(rows))})
    return rows


@op
def publish(rows):
    return Output(len(rows), metadata={"link": MetadataValue.url("https://example.com/report"),
                                       "ratio": MetadataValue.float(0.5), "final": MetadataValue.bool(True),
                                       "owner": MetadataValue.text("data team"), "plain": 7,
                                       "file": MetadataValue.path("/data/report.csv")})


@job
def metadata_values_job():
    publish(build_report())


CASES = [{"job": "metadata_values_job"}]
