"""Open a built course site in headless Chromium, offline, and see what a reader sees.

The site is served on 127.0.0.1; every request elsewhere is refused and recorded, so a page
that needs the internet (a CDN's Mermaid, a web font) is caught. The theme draws each Mermaid
diagram into a closed shadow root; the page is told to open them so the check can see the SVG.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from course.browser import ARGS

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
DIAGRAM_TIMEOUT_MS = 20_000
OPEN_SHADOW_ROOTS = """
const attachShadow = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attachShadow.call(this, { ...init, mode: "open" });
};
"""
# how many of the page's Mermaid hosts hold a drawn diagram (Mermaid draws errors as SVG too)
DRAWN_DIAGRAMS = """
() => [...document.querySelectorAll("div.mermaid")].filter((host) => {
  const svg = host.shadowRoot && host.shadowRoot.querySelector("svg");
  return svg && svg.getAttribute("aria-roledescription") !== "error";
}).length
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output clean
        pass


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """Serve the site on a free port of 127.0.0.1; yield its base URL."""
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


class OfflineBrowser:
    """A Chromium page that may only reach 127.0.0.1; `refused` lists what it tried elsewhere."""

    def __init__(self, context) -> None:
        self.refused: list[str] = []
        context.add_init_script(OPEN_SHADOW_ROOTS)
        context.route("**/*", self._route)
        self.page = context.new_page()

    def _route(self, route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def diagram_problems(
        self, url: str, expected: int, timeout_ms: int = DIAGRAM_TIMEOUT_MS
    ) -> list[str]:
        """Open the page and wait until its `expected` Mermaid diagrams are drawn as SVG."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.page.goto(url)
        try:
            self.page.wait_for_function(
                f"(expected) => ({DRAWN_DIAGRAMS})() >= expected",
                arg=expected,
                timeout=timeout_ms,
            )
        except PlaywrightTimeout:
            drawn = self.page.evaluate(DRAWN_DIAGRAMS)
            return [f"{url}: {drawn} of its {expected} Mermaid diagrams rendered as SVG"]
        return []


@contextmanager
def offline_browser(chromium: str) -> Iterator[OfflineBrowser]:
    """Start headless Chromium (the given binary) with one offline page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=list(ARGS))
        try:
            yield OfflineBrowser(browser.new_context())
        finally:
            browser.close()
