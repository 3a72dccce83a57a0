"""Code location for the crash tests: jobs whose op the test controls through files.

Every op first writes ``{"worker": pid, "child": pid or null}`` to ``<pid_dir>/<run id>.json``
(``pid_dir`` comes from the op's config), so that the test knows the op is running and which
processes must be gone at the end.

- ``gated_job``: ``wait_at_gate`` starts a child process (``sleep``) that it does not wait for,
  then waits until the file ``<pid_dir>/<run id>.go`` exists; it then stops its child and
  returns, and ``after_gate`` runs. A run left alone never ends: the test decides.
- ``exit_job``: ``exit_mid_op`` calls ``os._exit(0)``, as a buggy library might: the worker
  ends with code 0 without recording the run's end.
- ``short_job``: three ops of a few tenths of a second each (the soak's runs).
"""

import json
import os
import pathlib
import random
import subprocess
import time

from berth import Definitions, Field, job, op

PID_DIR = {"pid_dir": Field(str)}
GATE_TIMEOUT_SECONDS = 300


def _announce(context, child_pid=None) -> pathlib.Path:
    folder = pathlib.Path(context.op_config["pid_dir"])
    path = folder / f"{context.run_id}.json"
    partial = folder / f".{context.run_id}.json.tmp"
    partial.write_text(json.dumps({"worker": os.getpid(), "child": child_pid}), encoding="utf-8")
    os.replace(partial, path)  # the test never reads half a file
    return folder


@op(config_schema=PID_DIR)
def wait_at_gate(context) -> int:
    """Waits for the test's go-ahead, with a child process running meanwhile."""
    child = subprocess.Popen(["sleep", "600"])
    folder = _announce(context, child.pid)
    gate = folder / f"{context.run_id}.go"
    deadline = time.monotonic() + GATE_TIMEOUT_SECONDS
    while not gate.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child.kill()
    child.wait()
    return 1


@op
def after_gate(value: int) -> int:
    return value + 1


@op(config_schema=PID_DIR)
def exit_mid_op(context) -> None:
    """Ends the worker process with code 0 in the middle of the op."""
    _announce(context)
    os._exit(0)


@op(config_schema=PID_DIR)
def short_first(context) -> int:
    _announce(context)
    time.sleep(random.uniform(0.1, 0.5))
    return 1


@op
def short_second(value: int) -> int:
    time.sleep(random.uniform(0.1, 0.5))
    return value + 1


@op
def short_third(value: int) -> int:
    time.sleep(random.uniform(0.1, 0.5))
    return value + 1


@job
def gated_job():
    after_gate(wait_at_gate())


@job
def exit_job():
    exit_mid_op()


@job
def short_job():
    short_third(short_second(short_first()))


defs = Definitions(jobs=[gated_job, exit_job, short_job])
