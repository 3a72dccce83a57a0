"""Code location for the run monitor's and the shutdown's fault tests.

Each op first writes ``{"worker": pid}`` to the file its config names (``pid_file``), so that the
test knows the run is under way and which process to look for afterwards.
"""

import hashlib
import json
import os
import pathlib
import time

from berth import Definitions, Field, job, op


def _announce(context) -> None:
    path = context.op_config["pid_file"]
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        json.dump({"worker": os.getpid()}, out)
    os.replace(path + ".tmp", path)  # the test never reads half a file


@op(config_schema={"pid_file": Field(str), "release_file": Field(str)})
def wait_for_release(context) -> None:
    """Runs until the test creates ``release_file``, then succeeds (a run that takes as long as the test wants)."""
    _announce(context)
    release = pathlib.Path(context.op_config["release_file"])
    deadline = time.monotonic() + 120
    while not release.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("never released")
        time.sleep(0.02)


@op(config_schema={"pid_file": Field(str)})
def block(context) -> None:
    """Sleeps for two minutes: only a terminate (or a kill) ends it early."""
    _announce(context)
    time.sleep(120)


@op(config_schema={"pid_file": Field(str)})
def stuck_in_c(context) -> None:
    """A key derivation that takes hours in C: no SIGTERM stops it, only a kill."""
    _announce(context)
    hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 2_000_000_000)  # the most it allows


@op
def quick() -> int:
    """Returns at once."""
    return 1


@job
def release_job():
    wait_for_release()


@job
def blocked_job():
    block()


@job
def stuck_job():
    stuck_in_c()


@job
def quick_job():
    quick()


defs = Definitions(jobs=[release_job, blocked_job, stuck_job, quick_job])
