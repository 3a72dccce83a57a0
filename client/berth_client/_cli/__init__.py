"""The ``berth-client`` command: jobs, runs, launches, logs, re-executions, locations, completion.

Every command takes ``--json`` for machine-readable output; otherwise it prints aligned tables and
lines. Data goes to stdout; progress and errors go to stderr.

Exit status: 0 on success; 1 when the server reports an error, or a run that the command waited
for or followed did not succeed (FAILURE, CANCELED); 2 for a usage error; 130 when interrupted.

The package's modules, one idea each: ``_parser`` (arguments), ``_inputs`` (parsing values),
``_output`` (tables, JSON, event lines), ``_run_commands`` and ``_location_commands`` (what each
command does), ``_completion`` (shell completion scripts), ``_main`` (dispatch and errors).
"""

from __future__ import annotations

from ._main import main
from ._output import render_table
from ._parser import build_parser

__all__ = ["build_parser", "main", "render_table"]
