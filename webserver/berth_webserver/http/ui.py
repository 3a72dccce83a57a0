"""The web UI's pages: HTML written here from the Vite build's manifest, under a nonce CSP.

The UI (webserver/ui, built into static/ui by `make install`) is a single-page app: every page URL
(/, /runs/RUN_ID, /jobs/…) answers the same HTML, and the app's router draws the page. The page
carries the boot script inline (a few kB that send the page's first query while the app loads).
GraphiQL is a second entry of the same build, loaded only by /graphql. The page carries the mount
path (root_path) in a meta tag so that the app finds /graphql and its own URLs behind a prefix.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Optional, Sequence

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .security import make_csp_header, make_nonce

__all__ = ["UI_DIR", "BootScript", "APP_ENTRY", "GRAPHIQL_ENTRY", "SPA_PATHS", "ui_page", "app_page", "is_app_path",
           "BuildManifest"]

UI_DIR = Path(__file__).resolve().parent.parent / "static" / "ui"
APP_ENTRY = "src/main.tsx"
GRAPHIQL_ENTRY = "src/graphiql/main.tsx"
# The URLs the app draws; each can be opened directly or reloaded.
SPA_PATHS = ("/", "/runs", "/runs/{rest:path}", "/jobs", "/jobs/{rest:path}", "/locations",
             "/locations/{rest:path}")

_APP_PREFIXES = tuple(path.split("{")[0] for path in SPA_PATHS if "{" in path)


def is_app_path(path: str) -> bool:
    """Whether the app draws this URL (a browser opens it by navigating, so without credentials)."""
    return path in SPA_PATHS or path.startswith(_APP_PREFIXES)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="berth-root" content="{root}">
{meta}
{inline}
  <title>{title}</title>
  <link rel="icon" href="{root}/static/favicon.svg" type="image/svg+xml">
{links}
</head>
<body>
  <div id="root"></div>
  <noscript>berth's web UI needs JavaScript.</noscript>
{scripts}
</body>
</html>
"""

_NOT_BUILT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>berth: UI not built</title></head>
<body><h1>The web UI is not built</h1>
<p>Run <code>make install</code> in the berth repository (it runs <code>npm ci</code> and
<code>npm run build</code> in <code>webserver/ui</code>). The GraphQL API works without it.</p></body></html>
"""


class BootScript:
    """static/ui/boot.js (a build of its own: webserver/ui/vite.boot.config.ts), read again whenever the
    build changes it. The app's page carries it inline, so that it runs while the page is parsed."""

    def __init__(self, directory: Path = UI_DIR) -> None:
        self.path = directory / "boot.js"
        self._mtime: Optional[float] = None
        self._text: Optional[str] = None

    def text(self) -> Optional[str]:
        """The script, or None when it is not built (the app then asks for its first query itself)."""
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return None
        if mtime != self._mtime:
            text = self.path.read_text()
            # Inside <script>, only "</script" (any case) could end the element early.
            self._text = None if "</script" in text.lower() else text
            self._mtime = mtime
        return self._text


class BuildManifest:
    """The Vite manifest of static/ui, read again whenever the build changes it."""

    def __init__(self, directory: Path = UI_DIR) -> None:
        self.path = directory / "manifest.json"
        self._mtime: Optional[float] = None
        self._entries: dict[str, Any] = {}

    def entries(self) -> Optional[dict[str, Any]]:
        """The manifest's chunks by source name, or None when the UI is not built."""
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return None
        if mtime != self._mtime:
            self._entries = json.loads(self.path.read_text())
            self._mtime = mtime
        return self._entries

    def assets(self, entry: str) -> Optional[tuple[str, list[str], list[str]]]:
        """(script, stylesheets, preloaded chunks) of an entry, as paths below static/ui."""
        entries = self.entries()
        if entries is None or entry not in entries:
            return None
        styles: list[str] = []
        preloads: list[str] = []
        seen: set[str] = set()

        def walk(name: str) -> None:  # an entry's CSS includes that of the chunks it imports
            if name in seen:
                return
            seen.add(name)
            chunk = entries[name]
            styles.extend(css for css in chunk.get("css", []) if css not in styles)
            for imported in chunk.get("imports", []):
                preloads.append(entries[imported]["file"])
                walk(imported)

        walk(entry)
        return entries[entry]["file"], styles, preloads


_MANIFEST = BuildManifest()
_BOOT = BootScript()


def ui_page(request: Request, entries: Sequence[str], title: str, manifest: BuildManifest = _MANIFEST,
            meta: Optional[dict[str, str]] = None, inline_script: Optional[str] = None) -> Response:
    """The HTML page that loads entries of the UI build, in order (503 with instructions when not built).

    meta: more <meta name content> pairs for the entries to read. inline_script: a script that runs
    as the page is parsed, before the stylesheets and entries load (allowed by the page's CSP nonce)."""
    built = [manifest.assets(entry) for entry in entries]
    if any(assets is None for assets in built):
        return HTMLResponse(_NOT_BUILT, status_code=503)
    scripts: list[str] = []
    styles: list[str] = []
    preloads: list[str] = []
    for script, entry_styles, entry_preloads in filter(None, built):
        scripts.append(script)
        styles.extend(css for css in entry_styles if css not in styles)
        preloads.extend(chunk for chunk in entry_preloads if chunk not in preloads)
    nonce = make_nonce()
    root = html.escape(request.scope.get("root_path", "").rstrip("/"))
    static = f"{root}/static/ui/"
    links = [f'  <link rel="stylesheet" href="{static}{html.escape(css)}">' for css in styles]
    links += [f'  <link rel="modulepreload" href="{static}{html.escape(chunk)}">' for chunk in preloads
              if chunk not in scripts]
    metas = "\n".join(f'  <meta name="{html.escape(name)}" content="{html.escape(value)}">'
                      for name, value in (meta or {}).items())
    tags = "\n".join(f'  <script type="module" src="{static}{html.escape(script)}"></script>' for script in scripts)
    inline = f'  <script nonce="{nonce}">{inline_script}</script>' if inline_script else ""
    page = _PAGE.format(root=root, title=html.escape(title), links="\n".join(links), meta=metas, scripts=tags,
                        inline=inline)
    return HTMLResponse(page, headers={"Content-Security-Policy": make_csp_header(nonce)})


async def app_page(request: Request) -> Response:
    """The app's page, for every URL it draws."""
    return ui_page(request, (APP_ENTRY,), "berth", inline_script=_BOOT.text())
