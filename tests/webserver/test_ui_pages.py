"""The web UI's pages as a real webserver process serves them: every app URL answers the app under a
nonce CSP, its assets resolve, the first page stays small, and unknown URLs are still 404."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path
from typing import Iterator

import pytest
from starlette.requests import Request
from webserver_process import EXAMPLES, WebserverProcess

from berth_webserver.http.ui import APP_ENTRY, UI_DIR, BootScript, BuildManifest, ui_page

_APP_URLS = ["/", "/runs", "/runs?status=FAILURE", "/runs/0b8e5f5e-1d7e-4e3a-9f00-000000000000", "/locations", "/jobs",
             "/jobs/hello/__repository__/hello_job", "/jobs/hello/__repository__/hello_job/launchpad"]
_FIRST_PAGE_BUDGET = 300_000  # bytes of JS and CSS, gzipped, that the first page loads (issue 13)


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebserverProcess]:
    home = tmp_path_factory.mktemp("ui-pages")
    server = WebserverProcess(["dev", "-f", str(EXAMPLES / "hello" / "definitions.py")], env={"BERTH_HOME": str(home)})
    yield server
    assert server.stop() == 0


def _page_assets(text: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/static/ui/[^"]+)"', text)


@pytest.mark.parametrize("url", _APP_URLS)
def test_every_app_url_answers_the_app_page_with_a_strict_csp(webserver: WebserverProcess, url: str) -> None:
    response = webserver.http.get(url)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["cache-control"] == "no-store"
    assert '<div id="root"></div>' in response.text and '<meta name="berth-root" content="">' in response.text
    # The boot script inline, allowed by this page's nonce and no other, then the app's module.
    scripts = re.findall(r"<script[^>]*>", response.text)
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)  # type: ignore[union-attr]
    assert scripts[0] == f'<script nonce="{nonce}">' and len(scripts) == 2
    assert re.fullmatch(r'<script type="module" src="/static/ui/assets/app-[^"]+\.js">', scripts[1])
    assert "__berthPrefetched" in response.text.split("</script>")[0]


@pytest.mark.parametrize("url", ["/nope", "/runsx", "/static/ui/nope.js"])
def test_other_urls_are_still_not_found(webserver: WebserverProcess, url: str) -> None:
    assert webserver.http.get(url).status_code == 404


def test_the_first_page_loads_its_assets_and_stays_under_its_size_budget(webserver: WebserverProcess) -> None:
    page = webserver.http.get("/runs").text
    assets = _page_assets(page)
    assert any(asset.endswith(".css") for asset in assets) and any(asset.endswith(".js") for asset in assets)
    total = 0
    for asset in assets:
        response = webserver.http.get(asset)
        assert response.status_code == 200 and response.content, asset
        assert response.headers["x-content-type-options"] == "nosniff"
        total += len(gzip.compress(response.content))
    assert total < _FIRST_PAGE_BUDGET, f"the first page loads {total} gzipped bytes"
    # GraphiQL and the graph layout are separate chunks that the app page does not load.
    assert not any("graphiql" in asset for asset in assets)


def test_graphiql_and_the_app_are_separate_entries_of_one_build(webserver: WebserverProcess) -> None:
    graphiql = _page_assets(webserver.http.get("/graphql", headers={"accept": "text/html"}).text)
    app = _page_assets(webserver.http.get("/").text)
    assert any("/graphiql-" in asset for asset in graphiql)
    assert {a for a in graphiql if a.endswith(".js") and "/graphiql-" in a}.isdisjoint(app)


def _request(root_path: str = "") -> Request:
    return Request({"type": "http", "method": "GET", "path": "/runs", "root_path": root_path, "headers": [],
                    "query_string": b""})


def test_a_webserver_without_a_ui_build_says_how_to_build_it(tmp_path: Path) -> None:
    response = ui_page(_request(), (APP_ENTRY,), "berth", BuildManifest(tmp_path))
    assert response.status_code == 503 and b"make install" in response.body


def test_the_page_carries_the_mount_path_for_the_app_and_its_assets(tmp_path: Path) -> None:
    manifest = json.loads((UI_DIR / "manifest.json").read_text())
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    body = ui_page(_request("/berth"), (APP_ENTRY,), "berth", BuildManifest(tmp_path)).body.decode()
    assert '<meta name="berth-root" content="/berth">' in body
    assert all(asset.startswith("/berth/static/") for asset in re.findall(r'(?:src|href)="([^"]+)"', body))


def test_hashed_assets_are_cached_for_good_and_sent_gzipped_to_who_accepts_it(webserver: WebserverProcess) -> None:
    script = next(asset for asset in _page_assets(webserver.http.get("/runs").text) if asset.endswith(".js"))
    plain = webserver.http.get(script, headers={"accept-encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    zipped = webserver.http.get(script, headers={"accept-encoding": "br, gzip;q=0.8"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.headers["cache-control"] == plain.headers["cache-control"]
    assert zipped.headers["content-type"] == plain.headers["content-type"]
    assert zipped.content == plain.content  # httpx undoes the gzip
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2
    refused = webserver.http.get(script, headers={"accept-encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers and refused.content == plain.content
    # A revalidation of either form is answered 304 without a body.
    for response in (plain, zipped):
        again = webserver.http.get(script, headers={"accept-encoding": response.request.headers["accept-encoding"],
                                                     "if-none-match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
    assert webserver.http.head(script, headers={"accept-encoding": "gzip"}).content == b""


def test_files_without_a_content_hash_are_revalidated(webserver: WebserverProcess) -> None:
    response = webserver.http.get("/static/favicon.svg")
    assert response.status_code == 200 and response.headers.get("cache-control") != "public, max-age=31536000, immutable"
    assert webserver.http.get("/static/ui/manifest.json").headers.get("cache-control") is None


def test_each_page_has_its_own_nonce(webserver: WebserverProcess) -> None:
    nonces = {re.search(r"'nonce-([^']+)'", webserver.http.get("/runs").headers["content-security-policy"]).group(1)  # type: ignore[union-attr]
              for _ in range(3)}
    assert len(nonces) == 3


def test_a_boot_script_that_could_close_its_element_is_left_out(tmp_path: Path) -> None:
    script = tmp_path / "boot.js"
    boot = BootScript(tmp_path)
    assert boot.text() is None  # not built: the page goes without it
    script.write_text('console.log("</SCRIPT><script>alert(1)")')
    assert boot.text() is None
    script.write_text('console.log("fine")')
    os.utime(script, (1, 1))  # a new build: read again
    assert boot.text() == 'console.log("fine")'
