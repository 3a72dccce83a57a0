"""Code location for the k8s_job launcher tests: a quick job, and one that waits to be released.

``waits`` writes its worker's pid to the file its config names (so the test knows the worker is
running, and which process must be gone afterwards), then waits for the release file to appear.
"""

import json
import os
import time

from berth import Definitions, Field, job, op


@op
def greet(context) -> str:
    context.log.info(f"hello from a Kubernetes Job (worker pid {os.getpid()})")
    return "hello"


@op
def shout(context, text: str) -> str:
    return text.upper()


@job
def hello():
    shout(greet())


@op(config_schema={"pid_file": Field(str), "release_file": Field(str)})
def wait_for_release(context) -> None:
    path = context.op_config["pid_file"]
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        json.dump({"worker": os.getpid()}, out)
    os.replace(path + ".tmp", path)
    deadline = time.monotonic() + 120
    while not os.path.exists(context.op_config["release_file"]):
        if time.monotonic() > deadline:
            raise RuntimeError("never released")
        time.sleep(0.05)


@job
def waits():
    wait_for_release()


defs = Definitions(jobs=[hello, waits])
