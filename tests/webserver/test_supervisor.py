"""CodeServerProcess: a managed code server is restarted when it exits and stopped with the webserver."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from pathlib import Path

import pytest
from webserver_process import EXAMPLES, code_servers_of, pid_alive, wait_until

from berth_webserver.workspace import origin_for_python_file
from berth_webserver.workspace.code_location_client import CodeLocationClient
from berth_webserver.workspace.supervisor import CodeServerProcess, CodeServerStartError


async def _wait_for_new_pid(process: CodeServerProcess, old_pid: int, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.pid is not None and process.pid != old_pid:
            return process.pid
        await asyncio.sleep(0.05)
    raise AssertionError(f"not restarted; output: {list(process.output_tail)}")


def test_exit_after_shutdown_restarts_on_the_same_port_and_stop_leaves_nothing(tmp_path: Path) -> None:
    async def scenario() -> None:
        origin = origin_for_python_file(str(EXAMPLES / "hello" / "definitions.py"), "hello")
        process = CodeServerProcess(origin, f"sqlite:///{tmp_path / 'runs.db'}")
        await process.start()
        client = CodeLocationClient(process.host, process.port)
        try:
            first = await client.get_server_info()
            first_pid, port = process.pid, process.port
            assert first_pid is not None and first.location_name == "hello"
            assert (await client.shutdown()).accepted
            second_pid = await _wait_for_new_pid(process, first_pid)
            assert process.port == port and process.restarts == 1
            second = await client.get_server_info(timeout=10)
            assert second.server_id != first.server_id and second.pid == second_pid

            os.kill(second_pid, signal.SIGKILL)  # a crash: restarted after a short backoff
            third_pid = await _wait_for_new_pid(process, second_pid)
            assert (await client.get_server_info(timeout=10)).pid == third_pid
        finally:
            await client.close()
            await process.stop()
        assert process.pid is None and not pid_alive(third_pid)

    asyncio.run(scenario())


def test_a_server_that_cannot_start_reports_why_and_is_retried_until_stopped(tmp_path: Path) -> None:
    async def scenario() -> None:
        with socket.socket() as taken:  # the chosen port is taken: the server exits at once
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            origin = origin_for_python_file(str(EXAMPLES / "hello" / "definitions.py"), "hello")
            process = CodeServerProcess(origin, f"sqlite:///{tmp_path / 'runs.db'}",
                                        port=taken.getsockname()[1])
            try:
                with pytest.raises(CodeServerStartError, match="'hello' exited with code"):
                    await process.start()
                assert process.pid is None
            finally:
                await process.stop()

    asyncio.run(scenario())



def test_a_spawned_server_is_the_one_that_start_waits_for(tmp_path: Path) -> None:
    async def scenario() -> None:
        origin = origin_for_python_file(str(EXAMPLES / "hello" / "definitions.py"), "hello_spawned_first")
        process = CodeServerProcess(origin, f"sqlite:///{tmp_path / 'runs.db'}")
        await process.spawn()
        await process.spawn()  # a second call changes nothing
        # The child may not show its new command line in /proc the very moment spawn() returns.
        spawned = wait_until(lambda: code_servers_of("hello_spawned_first"))
        try:
            await process.start()
            assert len(spawned) == 1 and code_servers_of("hello_spawned_first") == spawned
            assert process.pid == spawned[0] and process.restarts == 0
            client = CodeLocationClient(process.host, process.port)
            try:
                assert (await client.get_server_info()).pid == spawned[0]
            finally:
                await client.close()
        finally:
            await process.stop()
        assert code_servers_of("hello_spawned_first") == []

    asyncio.run(scenario())


def test_a_spawned_server_that_nobody_waited_for_is_stopped(tmp_path: Path) -> None:
    async def scenario() -> None:
        origin = origin_for_python_file(str(EXAMPLES / "hello" / "definitions.py"), "hello_never_started")
        process = CodeServerProcess(origin, f"sqlite:///{tmp_path / 'runs.db'}")
        await process.spawn()
        assert len(wait_until(lambda: code_servers_of("hello_never_started"))) == 1
        await process.stop()
        assert code_servers_of("hello_never_started") == []

    asyncio.run(scenario())
