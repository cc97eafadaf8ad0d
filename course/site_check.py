"""Check a built course site by reading its HTML: links, the lesson map, notebooks, diagrams.

These checks need no browser, so they run everywhere; `course/site_browser.py` adds what only
a browser can show (the diagrams drawn, nothing fetched from the internet).
"""

from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Table:
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)


class PageParser(HTMLParser):
    """The parts of a page the checks read: links, tables, first heading, class names."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tables: list[Table] = []
        self.classes: Counter[str] = Counter()
        self.h1 = ""
        self._table_depth = 0
        self._link: list[str] | None = None  # [href, text] while inside <a>
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.classes.update((attributes.get("class") or "").split())
        if tag == "table":
            self._table_depth += 1
            if self._table_depth == 1:
                self.tables.append(Table())
        elif tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
            self._link = [attributes["href"] or "", ""]
        elif tag == "h1" and not self.h1:
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table_depth = max(0, self._table_depth - 1)
        elif tag == "a" and self._link is not None:
            if self._table_depth:
                self.tables[-1].links.append((self._link[0], self._link[1].strip()))
            self._link = None
        elif tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._table_depth:
            self.tables[-1].text += data
        if self._link is not None:
            self._link[1] += data
        if self._in_h1:
            self.h1 += data


def parse(page: Path) -> PageParser:
    parser = PageParser()
    parser.feed(page.read_text())
    return parser


def page_file(site_dir: Path, from_page: Path, href: str) -> Path | None:
    """The HTML file an internal link points at, or None if it points at nothing."""
    page_dir = from_page.parent.relative_to(site_dir).as_posix()
    path = posixpath.normpath(posixpath.join(page_dir, urlsplit(href).path)).lstrip("/")
    target = site_dir / path
    for candidate in (target, target / "index.html"):
        if candidate.is_file():
            return candidate
    return None


def broken_internal_links(site_dir: Path) -> list[str]:
    """Every link between the site's pages whose target file does not exist."""
    broken = []
    for page in sorted(site_dir.rglob("*.html")):
        for href in parse(page).links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # a web address, or an anchor on the same page
            if page_file(site_dir, page, href) is None:
                broken.append(f"{page.relative_to(site_dir)} -> {href}")
    return broken


def lesson_map_problems(site_dir: Path, lesson_title: str) -> list[str]:
    """The home page's lesson map exists and its link to a lesson reaches that lesson's page."""
    home = site_dir / "index.html"
    tables = [table for table in parse(home).tables if "what it teaches" in table.text]
    if not tables:
        return ["the home page has no lesson map (a table with a 'what it teaches' column)"]
    links = [href for href, text in tables[0].links if text == lesson_title]
    if len(links) != 1:
        return [f"the lesson map links '{lesson_title}' {len(links)} times, not once"]
    target = page_file(site_dir, home, links[0])
    if target is None:
        return [f"the lesson map's link to '{lesson_title}' ({links[0]}) leads nowhere"]
    heading = parse(target).h1.strip()
    if not heading.startswith(lesson_title):
        return [f"the lesson map's '{lesson_title}' leads to a page titled '{heading}'"]
    return []


def notebook_page_problems(page: Path) -> list[str]:
    """A notebook's page shows its code and the outputs of its execution."""
    classes = parse(page).classes
    problems = []
    if not classes["jp-InputArea"]:
        problems.append(f"{page}: no code cells")
    if not classes["jp-OutputArea-output"]:
        problems.append(f"{page}: no outputs (was the notebook executed?)")
    return problems


def mermaid_diagrams(site_dir: Path) -> dict[str, int]:
    """How many Mermaid diagrams each page has, by its URL relative to the site root."""
    counts = {}
    for page in sorted(site_dir.rglob("*.html")):
        count = parse(page).classes["mermaid"]
        if count:
            url = page.relative_to(site_dir).as_posix().removesuffix("index.html")
            counts[url] = count
    return counts
