"""Code location for tests/code_server/test_worker_run_ended_elsewhere.py.

``two_steps``: ``first`` writes its worker's pid to ``pid_file`` and waits for ``release_file``;
``second`` (which needs ``first``) writes ``second_ran`` — a file the test looks for.
"""

import json
import os
import time

from berth import Definitions, Field, job, op


@op(config_schema={"pid_file": Field(str), "release_file": Field(str)})
def first(context) -> str:
    path = context.op_config["pid_file"]
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        json.dump({"worker": os.getpid()}, out)
    os.replace(path + ".tmp", path)
    deadline = time.monotonic() + 60
    while not os.path.exists(context.op_config["release_file"]):
        if time.monotonic() > deadline:
            raise RuntimeError("never released")
        time.sleep(0.05)
    return context.op_config["pid_file"]


@op
def second(context, pid_file: str) -> None:
    with open(pid_file + ".second_ran", "w", encoding="utf-8") as out:
        out.write("ran")


@job
def two_steps():
    second(first())


defs = Definitions(jobs=[two_steps])
