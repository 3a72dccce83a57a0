"""Code location for the storage fault tests: a run that keeps writing events until it is told to end.

``ticking`` has two ops. ``tick`` writes its worker's pid to ``pid_file``, then logs ``tick 0``,
``tick 1``, … (one event each, every 20 ms) until the file ``release_file`` exists, so that a
test can break things while events are being written and knows exactly which events must be in
the log afterwards; ``after`` runs once ``tick`` has succeeded, so that steps still start and end
after the fault, and holds the run's end back until ``finish_file`` exists.
"""

import json
import os
import time

from berth import Definitions, Field, job, op

TICK_CONFIG = {"pid_file": Field(str), "release_file": Field(str)}
# An upper bound, so that a test that forgot to release the op does not leave a run forever.
MAX_TICKS = 30_000


@op(config_schema=TICK_CONFIG)
def tick(context) -> int:
    """Log one numbered line every 20 ms until released."""
    path = context.op_config["pid_file"]
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        json.dump({"worker": os.getpid()}, out)
    os.replace(path + ".tmp", path)
    count = 0
    while count < MAX_TICKS and not os.path.exists(context.op_config["release_file"]):
        context.log.info(f"tick {count}")
        count += 1
        time.sleep(0.02)
    return count


@op(config_schema={"ready_file": Field(str), "finish_file": Field(str)})
def after(context, ticks: int) -> None:
    """Log one line, say so in ``ready_file``, then wait (writing nothing) until ``finish_file``
    exists: a test can take the database away just before the run's last writes."""
    context.log.info(f"after {ticks} ticks")
    with open(context.op_config["ready_file"], "w", encoding="utf-8"):
        pass
    deadline = time.monotonic() + 600
    while not os.path.exists(context.op_config["finish_file"]) and time.monotonic() < deadline:
        time.sleep(0.02)


@job
def ticking():
    after(tick())


defs = Definitions(jobs=[ticking])
