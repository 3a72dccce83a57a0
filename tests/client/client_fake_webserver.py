"""A stand-in GraphQL webserver for unit tests over ``httpx.MockTransport``.

The mock stands in for the webserver only to produce answers a real server rarely gives on
demand (every error member of every union, HTTP 500s, dropped connections); the live tests
cover the same methods against a real berth webserver.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Union

import httpx

Answer = Union[dict, httpx.Response, Exception, Callable[[dict], Any]]


def root_field(document: str) -> str:
    """The first root field a document selects."""
    match = re.search(r"\{\s*(\w+)", document)
    assert match, document
    return match.group(1)


class FakeWebserver:
    """Answers each root field from a queue (the last answer repeats) and records requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._answers: dict[str, list[Answer]] = {}

    def answer(self, field: str, *answers: Answer) -> FakeWebserver:
        """Queue answers for a root field: a result object, a Response, an exception or a callable."""
        self._answers.setdefault(field, []).extend(answers)
        return self

    def fields_requested(self) -> list[str]:
        """The root field of every request so far, in order."""
        return [root_field(r["query"]) for r in self.requests]

    def handle(self, request: httpx.Request) -> httpx.Response:
        """The MockTransport handler."""
        body = json.loads(request.content)
        body["headers"] = dict(request.headers)
        self.requests.append(body)
        field = root_field(body["query"])
        queue = self._answers.get(field)
        assert queue, f"no answer queued for {field}"
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(answer) and not isinstance(answer, type):
            answer = answer(body.get("variables") or {})
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json={"data": {field: answer}})

    def transport(self) -> httpx.MockTransport:
        """An httpx transport served by this fake."""
        return httpx.MockTransport(self.handle)
