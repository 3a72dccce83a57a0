"""Dagster's op selection syntax over a job's dependency structure."""

from __future__ import annotations

import pytest

from berth_webserver.operations.op_selection import select_ops

# extract -> transform -> load -> notify, and audit beside load (reads transform).
UPSTREAM = {"extract": [], "transform": ["extract"], "load": ["transform"], "audit": ["transform"],
            "notify": ["load"]}


@pytest.mark.parametrize("selection, expected", [
    (["load"], ["load"]),
    (["*load"], ["extract", "transform", "load"]),
    (["+load"], ["transform", "load"]),
    (["++load"], ["extract", "transform", "load"]),
    (["transform*"], ["transform", "load", "audit", "notify"]),
    (["transform+"], ["transform", "load", "audit"]),
    (["+transform+"], ["extract", "transform", "load", "audit"]),
    (["extract", "notify"], ["extract", "notify"]),
])
def test_selection_clauses(selection: list[str], expected: list[str]) -> None:
    assert select_ops(UPSTREAM, selection) == expected


def test_unknown_op_names_the_clause() -> None:
    with pytest.raises(KeyError) as raised:
        select_ops(UPSTREAM, ["load", "*nope"])
    assert raised.value.args[0] == "*nope"
