"""The course site builds strictly, shows the lesson map and executed notebooks, and reads
correctly in a real browser with no internet.

The site is built once per run by `course docs` (what `make docs` runs), which reuses the
notebooks this run's notebook tests executed. The checks that read its HTML need no browser
and always run. The browser check opens it in headless Chromium (driven by Playwright) with
every request beyond 127.0.0.1 refused; without Chromium it skips, saying how to enable it,
unless `COURSE_REQUIRE_BROWSER=1` (set by `.ci/run`) makes that a failure.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from course.browser import PATH_VARIABLE, REQUIRE_VARIABLE, browser_required, find_chromium
from course.exercise_checks import NO_HYPOTHESIS
from course.notebook_runs import exclusive, run_folder
from course.paths import ROOT
from course.site import assemble, build, plan_pages
from course.site_browser import offline_browser, serve
from course.site_check import (
    broken_internal_links,
    lesson_map_problems,
    mermaid_diagrams,
    notebook_page_problems,
)

LESSON = "01 · Databases"
BROWSER_TEST = "test_the_site_reads_correctly_in_a_real_browser_without_internet"


def on_the_built_site(test):
    """A test of the built site: skipped by --fast, on the one worker that builds the site."""
    marks = (pytest.mark.site, pytest.mark.slow, pytest.mark.xdist_group("built-site"))
    for mark in (*marks, pytest.mark.timeout(900)):  # the first one builds the site
        test = mark(test)
    return test


def build_site(output: Path) -> Path:
    site_dir = output / "site"
    command = [sys.executable, "-m", "course", "docs"]
    command += ["--source-dir", str(output / "site-src"), "--site-dir", str(site_dir)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"`course docs` failed:\n{result.stdout[-3000:]}"
    return site_dir


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The course site, built once per run: the first worker to need it builds, others wait.

    `course test` passes `--dist=loadgroup`, which keeps its tests on one worker; the lock keeps
    it built once when they are spread anyway (a plain `pytest -n 2`, or pytest 9.2).
    """
    folder = run_folder()
    if folder is None:
        return build_site(tmp_path_factory.mktemp("course-site"))
    output = folder / "course-site"
    done, failed = output.with_suffix(".done"), output.with_suffix(".error")
    with exclusive(output.with_suffix(".lock")):
        if failed.exists():
            pytest.fail(failed.read_text(), pytrace=False)
        if not done.exists():
            try:
                build_site(output)
            except AssertionError as error:
                failed.write_text(str(error))
                raise
            done.touch()
    return output / "site"


def notebook_pages() -> list:
    """The notebook pages that have code to show: the start-here one and every lesson's."""
    pages = [page for _, section in plan_pages() for page in section]
    return [
        page
        for page in pages
        if page.target.endswith(".ipynb") and "code" in page.source.read_text()
    ]


@on_the_built_site
def test_the_site_builds_strictly_with_no_broken_internal_link(built_site):
    assert (built_site / "index.html").is_file()
    assert not broken_internal_links(built_site)


@on_the_built_site
def test_the_home_page_lesson_map_leads_to_the_lesson(built_site):
    assert not lesson_map_problems(built_site, LESSON)


@on_the_built_site
def test_every_notebook_page_shows_its_code_and_its_outputs(built_site):
    pages = notebook_pages()
    assert pages, "the course has no notebook with code"
    problems = [
        problem
        for notebook in pages
        for problem in notebook_page_problems(built_site / notebook.url / "index.html")
    ]
    assert not problems


@on_the_built_site
def test_the_vendored_mermaid_ships_with_the_site(built_site):
    script = built_site / "assets" / "mermaid" / "mermaid.min.js"
    assert script.stat().st_size > 1_000_000
    assert "MIT" in (built_site / "assets" / "mermaid" / "LICENSE").read_text()
    assert 'src="assets/mermaid/mermaid.min.js"' in (built_site / "index.html").read_text()


@on_the_built_site
def test_the_site_reads_correctly_in_a_real_browser_without_internet(chromium, built_site):
    with serve(built_site) as base_url, offline_browser(chromium) as browser:
        page = browser.page
        page.goto(base_url)
        lesson_map = page.locator("table", has_text="what it teaches")
        assert lesson_map.is_visible()
        lesson_map.locator("a", has_text=LESSON).click()
        assert page.locator("h1").first.inner_text().startswith(LESSON)

        for notebook in notebook_pages():
            page.goto(base_url + notebook.url)
            assert page.locator(".jp-InputArea").first.is_visible(), f"{notebook.target}: no code"
            outputs = page.locator(".jp-OutputArea-output")
            assert outputs.first.is_visible(), f"{notebook.target} shows no outputs"

        problems = [
            problem
            for url, count in mermaid_diagrams(built_site).items()
            for problem in browser.diagram_problems(base_url + url, count)
        ]
        assert not problems
        assert not browser.refused, "the site needed the internet"


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


@pytest.mark.site
@pytest.mark.slow
def test_a_broken_link_fails_the_strict_build(tmp_path):
    write_sample_course(tmp_path, "# Course\n\nSee [the missing page](02-gone/README.md).\n")

    with pytest.raises(subprocess.CalledProcessError):
        build(tmp_path, source_dir=tmp_path / "build", site_dir=tmp_path / "site", execute=False)


@pytest.mark.site
@pytest.mark.slow
def test_a_lesson_notebook_is_executed_in_its_folder_so_it_imports_the_lesson_modules(tmp_path):
    import nbformat  # here: the fresh pytest runs below collect this module and never need it

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


DIAGRAM = "```mermaid\nerDiagram\n    CUSTOMER ||--o{ ORDER : places\n```\n"


@pytest.mark.site
@pytest.mark.slow
def test_a_diagram_renders_offline_and_the_check_sees_one_that_cannot(chromium, tmp_path):
    write_sample_course(tmp_path, f"# Course\n\n{DIAGRAM}")
    site_dir = build(tmp_path, source_dir=tmp_path / "build", site_dir=tmp_path / "site")
    assert mermaid_diagrams(site_dir) == {"": 1}

    with serve(site_dir) as base_url, offline_browser(chromium) as browser:
        assert browser.diagram_problems(base_url, 1) == []
        assert browser.refused == []

        # without the vendored copy the theme asks a CDN for Mermaid, as it did before
        (site_dir / "assets" / "mermaid" / "mermaid.min.js").unlink()
        problems = browser.diagram_problems(base_url, 1, timeout_ms=5_000)
    assert problems == [f"{base_url}: 0 of its 1 Mermaid diagrams rendered as SVG"]
    assert any("mermaid" in url and "127.0.0.1" not in url for url in browser.refused)


def run_browser_check(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    """Run the real browser check in a fresh pytest, on a PATH where no Chromium is found."""
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PYTEST_") and name not in (PATH_VARIABLE, REQUIRE_VARIABLE)
    }
    command = [sys.executable, "-m", "pytest", f"{__file__}::{BROWSER_TEST}", "-n", "0"]
    return subprocess.run(
        [*command, "-p", "no:randomly", *NO_HYPOTHESIS],
        cwd=ROOT,
        env={**environ, "PATH": str(empty), **variables},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_chromium_the_browser_check_skips_saying_how_to_enable_it(tmp_path):
    result = run_browser_check(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 skipped" in result.stdout
    assert "browser check: no Chromium on PATH" in result.stdout
    assert "sudo apt-get install chromium" in result.stdout
    assert f"{PATH_VARIABLE}=/path/to/chromium" in result.stdout


def test_without_chromium_the_browser_check_fails_when_ci_requires_it(tmp_path):
    result = run_browser_check(tmp_path, **{REQUIRE_VARIABLE: "1"})
    assert result.returncode == 1, result.stdout[-3000:]
    assert "1 error" in result.stdout
    assert f"{REQUIRE_VARIABLE}=1 requires the browser" in result.stdout
    assert "skipped" not in result.stdout


def executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_chromium_is_found_on_path_or_where_course_chromium_points(tmp_path):
    (tmp_path / "bin").mkdir()
    on_path = executable(tmp_path / "bin" / "chromium")
    chosen = executable(tmp_path / "my-chrome")

    assert find_chromium({"PATH": str(tmp_path / "bin")}).path == str(on_path)
    assert find_chromium({"PATH": "", PATH_VARIABLE: str(chosen)}).path == str(chosen)
    chosen.chmod(0o644)
    missing = find_chromium({"PATH": str(tmp_path / "bin"), PATH_VARIABLE: str(chosen)})
    assert missing.path is None
    assert missing.reason == f"{PATH_VARIABLE}={chosen} is not an executable file: fix or unset it"


@pytest.mark.parametrize(("value", "required"), [("", False), ("0", False), ("1", True)])
def test_course_require_browser_turns_the_skip_into_a_failure(value, required):
    assert browser_required({REQUIRE_VARIABLE: value}) is required


def test_doctor_reports_a_missing_browser_as_optional_with_how_to_install_it(tmp_path, monkeypatch):
    from course.doctor import check_browser

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(PATH_VARIABLE, raising=False)
    check = check_browser()
    assert (check.name, check.ok, check.required) == ("browser", False, False)
    assert check.detail.startswith("no Chromium on PATH")
    assert "sudo apt-get install chromium" in check.fix and PATH_VARIABLE in check.fix

    monkeypatch.setenv(PATH_VARIABLE, str(executable(tmp_path / "chromium")))
    assert check_browser().ok
