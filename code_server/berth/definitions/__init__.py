"""The definitions API: ops, graphs, jobs, repositories, and loading them from user code."""

from __future__ import annotations
