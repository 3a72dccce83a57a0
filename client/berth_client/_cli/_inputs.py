"""Values given on the command line: run config files, KEY=VALUE tags, headers, points in time.

Each parser either returns the value or raises ``argparse.ArgumentTypeError`` (argparse turns that
into a usage error, exit status 2) or ``UsageError`` with a message naming the bad input.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from datetime import datetime
from typing import Any, Optional, Sequence

__all__ = ["UsageError", "header_pairs", "key_value", "load_config", "point_in_time", "positive_int",
           "positive_seconds"]

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhdw])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class UsageError(Exception):
    """A command-line value that cannot be used (an unreadable config file, ...)."""


def load_config(path: Optional[str]) -> dict[str, Any]:
    """The run config in a .json file (or .yaml with PyYAML); {} without a path."""
    if path is None:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read the config file {path}: {exc.strerror or exc}") from exc
    if path.endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError:
            raise UsageError("reading YAML config needs PyYAML; use a .json file instead") from None
        try:
            config = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UsageError(f"the config file {path} is not valid YAML: {exc}") from exc
    else:
        try:
            config = json.loads(text or "{}")
        except ValueError as exc:
            raise UsageError(f"the config file {path} is not valid JSON: {exc}") from exc
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise UsageError(f"the config file {path} must hold a mapping, not {type(config).__name__}")
    return config


def key_value(text: str) -> tuple[str, str]:
    """A ``KEY=VALUE`` argument (argparse ``type``)."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def header_pairs(lines: Sequence[str]) -> dict[str, str]:
    """``Name: value`` header arguments as a dict."""
    headers = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise UsageError(f"--header expects 'Name: value', got {line!r}")
        headers[key.strip()] = value.strip()
    return headers


def point_in_time(text: str) -> float:
    """A time as POSIX seconds (argparse ``type``): ``90s``/``15m``/``2h``/``7d``/``1w`` ago, an ISO
    date or date-time (local time unless it names a zone), or POSIX seconds."""
    match = _DURATION.match(text.strip())
    if match:
        return time.time() - float(match.group(1)) * _SECONDS[match.group(2)]
    try:
        return datetime.fromisoformat(text.strip()).timestamp()
    except ValueError:
        pass
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a duration such as 2h or 7d, an ISO date-time or POSIX seconds, got {text!r}") from None
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite time, got {text!r}")
    return seconds


def positive_seconds(text: str) -> float:
    """A number of seconds greater than zero (argparse ``type``)."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return seconds


def positive_int(text: str) -> int:
    """A whole number greater than zero (argparse ``type``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {text!r}")
    return value
