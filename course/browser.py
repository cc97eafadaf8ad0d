"""Find the Chromium that the site's browser check opens the course site in.

The check is optional on a learner's machine (it skips, saying how to enable it) and required
in CI, where `.ci/run` installs Chromium and sets `COURSE_REQUIRE_BROWSER=1`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass

PATH_VARIABLE = "COURSE_CHROMIUM"
REQUIRE_VARIABLE = "COURSE_REQUIRE_BROWSER"
INSTALL_HINT = (
    f"install it (`sudo apt-get install chromium` on Debian or Ubuntu) "
    f"or set {PATH_VARIABLE}=/path/to/chromium"
)
# Debian's package first (Playwright's own browser download cannot work on this project's
# network); GitHub's Ubuntu runners ship Google Chrome instead
COMMANDS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# headless, and nothing that reaches the network on its own (updates, sync, safe browsing)
ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@dataclass(frozen=True)
class BrowserSearch:
    """Where Chromium was found, or why it was not."""

    path: str | None
    reason: str


def find_chromium(environ: Mapping[str, str] = os.environ) -> BrowserSearch:
    """Look for Chromium: `COURSE_CHROMIUM` first, then the usual commands on PATH."""
    chosen = environ.get(PATH_VARIABLE, "").strip()
    if chosen:
        if os.path.isfile(chosen) and os.access(chosen, os.X_OK):
            return BrowserSearch(chosen, f"{PATH_VARIABLE}={chosen}")
        return BrowserSearch(
            None, f"{PATH_VARIABLE}={chosen} is not an executable file: fix or unset it"
        )
    search_path = environ.get("PATH", os.defpath)
    for command in COMMANDS:
        path = shutil.which(command, path=search_path)
        if path:
            return BrowserSearch(path, f"found `{command}` on PATH")
    return BrowserSearch(None, f"no Chromium on PATH ({', '.join(COMMANDS)}): {INSTALL_HINT}")


def browser_required(environ: Mapping[str, str] = os.environ) -> bool:
    """True when a missing browser must fail the check instead of skipping it (CI)."""
    return environ.get(REQUIRE_VARIABLE, "").strip() not in ("", "0")
