"""Code location for the fault tests: jobs whose one op blocks where real data jobs wait.

Each op first writes ``{"worker": pid, "child": pid or null}`` to the file its config names
(``pid_file``), so that the test knows the op is blocked and which processes must be gone after
a terminate; then it waits for a minute or more, and would end SUCCESS if nothing stopped it.
"""

import hashlib
import json
import os
import socket
import subprocess
import threading
import time

from berth import Definitions, Field, job, op

PID_FILE = {"pid_file": Field(str)}


def _announce(context, child_pid=None) -> None:
    path = context.op_config["pid_file"]
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        json.dump({"worker": os.getpid(), "child": child_pid}, out)
    os.replace(path + ".tmp", path)  # the test never reads half a file


@op(config_schema=PID_FILE)
def wait_in_subprocess(context) -> None:
    """``subprocess.run`` of a minute-long child; the shell writes the child's pid, then becomes ``sleep``."""
    path = context.op_config["pid_file"]
    script = ('printf \'{"worker": %s, "child": %s}\' "$PPID" "$$" > "$1.tmp" && mv "$1.tmp" "$1" '
              "&& exec sleep 60")
    subprocess.run(["sh", "-c", script, "sh", path], check=True)


@op(config_schema=PID_FILE)
def wait_in_thread_join(context) -> None:
    """Joins a thread that sleeps for a minute."""
    helper = threading.Thread(target=time.sleep, args=(60,), name="sleeper")
    helper.start()
    _announce(context)
    helper.join()


@op(config_schema=PID_FILE)
def wait_in_socket_read(context) -> None:
    """Reads from a socket whose peer never sends."""
    reader, writer = socket.socketpair()
    with reader, writer:
        _announce(context)
        reader.recv(1)


@op(config_schema=PID_FILE)
def wait_in_c_call(context) -> None:
    """A key derivation that takes hours, in C without a return to the interpreter."""
    _announce(context)
    hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 2_000_000_000)  # the most it allows


@job
def subprocess_job():
    wait_in_subprocess()


@job
def thread_join_job():
    wait_in_thread_join()


@job
def socket_read_job():
    wait_in_socket_read()


@job
def c_call_job():
    wait_in_c_call()


defs = Definitions(jobs=[subprocess_job, thread_join_job, socket_read_job, c_call_job])
