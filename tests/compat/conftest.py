"""Fixtures of the Dagster compatibility suite: the compat venv's Python, a live `berth dev`, Dagster's client.

Without BERTH_COMPAT_PYTHON the live tests skip on a developer machine (nothing is built) and fail
in CI, where `make test` always provides it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

# The shape checks live in helper modules; rewrite their asserts so failures show expected and got.
pytest.register_assert_rewrite("compat_document_cases", "compat_runs")

from compat_berth_dev import BerthDev, start_berth_dev  # noqa: E402
from compat_venv import ClientDriver, compat_python_from_env  # noqa: E402

_REPORTS = pytest.StashKey[list[tuple[str, str]]]()


@pytest.fixture(scope="session")
def compat_python() -> str:
    """Path of the Python in the venv that holds dagster-graphql."""
    python, reason = compat_python_from_env()
    if python is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the compatibility suite, but {reason}", pytrace=False)
        pytest.skip(reason)
    return python


@pytest.fixture(scope="module")
def live_berth(compat_python: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BerthDev]:
    """A `berth dev` on examples/workspace.yaml, both example locations loaded, BERTH_HOME in a temp dir."""
    failure = ""
    try:
        dev = start_berth_dev(tmp_path_factory.mktemp("berth-home"))
    except RuntimeError as exc:
        failure = str(exc)
    if failure:
        pytest.fail(failure, pytrace=False)
    yield dev
    dev.stop()


@pytest.fixture(scope="module")
def dagster_client(compat_python: str, live_berth: BerthDev) -> Iterator[ClientDriver]:
    """Dagster's DagsterGraphQLClient pointed at the live berth, driven from the compat venv."""
    driver = ClientDriver(compat_python, live_berth.port)
    yield driver
    driver.close()


@pytest.fixture
def compat_report(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Records a titled text block that the terminal summary prints after the run, even without -s."""
    reports = request.config.stash.setdefault(_REPORTS, [])

    def record(title: str, text: str) -> None:
        print(f"\n== {title} ==\n{text}")
        reports.append((title, text))

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Prints the compatibility reports (schema coverage, berth's additions) at the end of the run."""
    for title, text in config.stash.get(_REPORTS, []):
        terminalreporter.write_sep("=", title)
        terminalreporter.write_line(text)
