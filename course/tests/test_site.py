"""The course site builds in strict mode and reads correctly in a real browser.

`course docs` (what `make docs` runs) assembles the README, the lesson READMEs and the
executed notebooks, and MkDocs fails the build on a broken link. The built site is then
served on 127.0.0.1 and opened in headless Chromium (Debian's package, driven by Playwright):
the home page shows the lesson map, and every notebook page shows its code and its outputs.
"""

import functools
import posixpath
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from course.paths import ROOT
from course.site import assemble, build, plan_pages

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_CHROMIUM = "sudo apt-get update && sudo apt-get install -y chromium"


# Debian's package first (Playwright's own browser download cannot work on this project's
# network); GitHub's Ubuntu runners ship Google Chrome instead
BROWSER_COMMANDS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> str:
    """A Chromium-family browser installed on this machine."""
    path = next(filter(None, map(shutil.which, BROWSER_COMMANDS)), None)
    if path is None:
        pytest.fail(
            f"Chromium is not installed; this test opens the course site in it: {INSTALL_CHROMIUM}",
            pytrace=False,
        )
    return path


def build_site(output: Path) -> Path:
    site_dir = output / "site"
    command = [sys.executable, "-m", "course", "docs"]
    command += ["--source-dir", str(output / "site-src"), "--site-dir", str(site_dir)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"`course docs` failed:\n{result.stdout[-3000:]}"
    return site_dir


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output clean
        pass


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def broken_internal_links(site_dir: Path) -> list[str]:
    """Every link between the site's HTML pages whose target file does not exist."""
    broken = []
    for page in site_dir.rglob("*.html"):
        collector = LinkCollector()
        collector.feed(page.read_text())
        page_dir = page.parent.relative_to(site_dir).as_posix()
        for href in collector.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # a web address, or an anchor on the same page
            path = posixpath.normpath(posixpath.join(page_dir, parts.path)).lstrip("/")
            target = site_dir / path
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append(f"{page.relative_to(site_dir)} -> {href}")
    return broken


def notebook_pages() -> list:
    """The notebook pages that have code to show: the start-here one and every lesson's."""
    pages = [page for _, section in plan_pages() for page in section]
    return [
        page
        for page in pages
        if page.target.endswith(".ipynb") and "code" in page.source.read_text()
    ]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_site_builds_strictly_and_shows_the_lesson_map_and_executed_notebooks(tmp_path):
    chromium = chromium_path()
    site_dir = build_site(tmp_path)
    assert not broken_internal_links(site_dir)
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_port}/"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page()

            page.goto(base_url)
            lesson_map = page.locator("table", has_text="what it teaches")
            assert lesson_map.is_visible()
            assert lesson_map.locator("a", has_text="01 · Databases").count() == 1
            lesson_map.locator("a", has_text="01 · Databases").click()
            assert page.locator("h1").first.inner_text().startswith("01 · Databases")

            for notebook in notebook_pages():
                page.goto(base_url + notebook.url)
                assert page.locator(".jp-InputArea").count() > 0, f"{notebook.target}: no code"
                outputs = page.locator(".jp-OutputArea-output")
                assert outputs.count() > 0, f"{notebook.target} shows no outputs"
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


def write_sample_course(root: Path, readme: str) -> Path:
    (root / "README.md").write_text(readme)
    (root / ".env.example").write_text("DATABASE_URL=...\n")
    lesson = root / "01-sample"
    lesson.mkdir()
    (lesson / "lesson.toml").write_text('title = "Sample"\nsummary = "For the tests."\n')
    (lesson / "README.md").write_text("# 01 · Sample\n\nBack to the [course](../README.md).\n")
    (lesson / "sample_topic.py").write_text("VALUE = 1\n")
    (lesson / "exercises").mkdir()  # a folder without a README: no page of its own
    return root


def test_links_to_pages_follow_them_and_links_to_source_files_become_text(tmp_path):
    readme = (
        "# Course\n\n[the lesson](01-sample/README.md), [its folder](01-sample/), "
        "[settings](.env.example), [a script](01-sample/sample_topic.py), "
        "[exercises](01-sample/exercises/), [docs](https://www.mkdocs.org/)\n"
    )
    write_sample_course(tmp_path, readme)

    assemble(tmp_path, source_dir=tmp_path / "build", site_dir=tmp_path / "site", execute=False)

    content = tmp_path / "build" / "content"
    assert (content / "index.md").read_text() == (
        "# Course\n\n[the lesson](01-sample/index.md), [its folder](01-sample/index.md), "
        "settings, a script, exercises, [docs](https://www.mkdocs.org/)\n"
    )
    assert "[course](../index.md)" in (content / "01-sample" / "index.md").read_text()


@pytest.mark.slow
def test_a_broken_link_fails_the_strict_build(tmp_path):
    write_sample_course(tmp_path, "# Course\n\nSee [the missing page](02-gone/README.md).\n")

    with pytest.raises(subprocess.CalledProcessError):
        build(tmp_path, source_dir=tmp_path / "build", site_dir=tmp_path / "site", execute=False)


@pytest.mark.slow
def test_a_lesson_notebook_is_executed_in_its_folder_so_it_imports_the_lesson_modules(tmp_path):
    write_sample_course(tmp_path, "# Course\n")
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Sample notebook\n\nBack to [the lesson](README.md)."),
            nbformat.v4.new_code_cell(
                "import sample_topic\n\nprint('value is', sample_topic.VALUE)"
            ),
        ]
    )
    nbformat.write(notebook, tmp_path / "01-sample" / "01-sample.ipynb")

    assemble(tmp_path, source_dir=tmp_path / "build", site_dir=tmp_path / "site")

    executed = nbformat.read(tmp_path / "build" / "content" / "01-sample" / "01-sample.ipynb", 4)
    assert executed.cells[1].outputs[0].text == "value is 1\n"
    assert (
        "[the lesson](../)" in executed.cells[0].source
    )  # from 01-sample/01-sample/ to 01-sample/
