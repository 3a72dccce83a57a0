"""GraphiQL in real headless Chromium against ``berth dev --auth``: the user enters a token.

The page itself is open; its Headers tab starts with ``Authorization: Bearer PASTE-YOUR-TOKEN``.
With that placeholder a query is refused (401); once the user types a real token it runs.
"""

from __future__ import annotations

import json
import time

import pytest
from security_setup import AuthServer, wait_until
from test_graphiql_browser import _RENDERED, DevTools, browser, chromium_binary  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

_EDITOR = "document.querySelector('{selector} .CodeMirror').CodeMirror"
_RESPONSE = "document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"


def _set_editor(tools: DevTools, selector: str, text: str) -> None:
    tools.evaluate(f"{_EDITOR.format(selector=selector)}.setValue({json.dumps(text)})")


def _run_query(tools: DevTools) -> str:
    tools.evaluate("document.querySelector('.graphiql-response .CodeMirror').CodeMirror.setValue('')")
    tools.evaluate("document.querySelector('.graphiql-execute-button').click()")
    return str(wait_until(lambda: tools.evaluate(_RESPONSE).strip(), timeout=30))


def test_a_token_typed_in_the_headers_tab_lets_queries_run(server: AuthServer, browser: DevTools) -> None:  # noqa: F811
    browser.call("Page.navigate", url=server.url + "/graphql")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not browser.evaluate(_RENDERED):
        time.sleep(0.1)
    assert browser.evaluate(_RENDERED), browser.errors()
    browser.evaluate("[...document.querySelectorAll('.graphiql-editor-tools button')]"
                     ".find(b => b.textContent.trim() === 'Headers').click()")
    headers = wait_until(lambda: browser.evaluate(
        "[...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]"
        ".map(e => e.CodeMirror.getValue()).join('\\n')"), timeout=30)
    assert "Bearer PASTE-YOUR-TOKEN" in headers

    _set_editor(browser, ".graphiql-query-editor", "{ version }")
    assert "Invalid token" in _run_query(browser)

    token = server.tokens["viewer"]
    browser.evaluate("[...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]"
                     ".find(e => e.CodeMirror.getValue().includes('Authorization'))"
                     f".CodeMirror.setValue({json.dumps(json.dumps({'Authorization': f'Bearer {token}'}))})")
    answer = _run_query(browser)
    assert '"version"' in answer and "errors" not in answer, answer
