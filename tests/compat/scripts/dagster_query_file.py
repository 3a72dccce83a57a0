"""Serve a berth-style job file from real Dagster and print one GraphQL query's answer as JSON.

Usage (compat venv): python dagster_query_file.py JOB_FILE QUERY_FILE VARIABLES_JSON

VARIABLES_JSON holds a ``selector`` with the job's name; its location and repository are filled in.

The job file's ``from berth import`` is rewritten to ``from dagster import``; Dagster loads it in
its own code server (``define_out_of_process_context``) with an ephemeral instance, so the answer
is exactly what a Dagster webserver serves for the same job.
"""

from __future__ import annotations

import json
import os
import pathlib
import sys
import tempfile


def main() -> None:
    job_file, query_file, variables = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    from dagster._core.test_utils import instance_for_test
    from dagster_graphql.test.utils import define_out_of_process_context, execute_dagster_graphql, infer_repository

    # Dagster's code server logs to the stdout it inherits: send that to stderr, keep stdout for JSON.
    stdout = os.dup(1)
    os.dup2(2, 1)
    source = pathlib.Path(job_file).read_text().replace("from berth import", "from dagster import")
    with tempfile.TemporaryDirectory() as folder:
        rewritten = pathlib.Path(folder) / pathlib.Path(job_file).name
        rewritten.write_text(source)
        with instance_for_test(temp_dir=folder) as instance:
            with define_out_of_process_context(str(rewritten), None, instance) as context:
                # The selector names the job only: its location and repository are Dagster's.
                repository = infer_repository(context)
                variables["selector"] = {**variables["selector"], "repositoryName": repository.name,
                                         "repositoryLocationName": repository.handle.location_name}
                result = execute_dagster_graphql(context, pathlib.Path(query_file).read_text(), variables)
    if result.errors:
        raise SystemExit(f"Dagster answered with errors: {result.errors}")
    os.write(stdout, json.dumps(result.data).encode())


if __name__ == "__main__":
    main()
