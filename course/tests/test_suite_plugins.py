"""The suite's own machinery: each notebook runs once per run, `--fast`, and the skip table.

The plugins are driven as a learner meets them: a fresh pytest (the project's configuration)
over a few files written for the test.
"""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course.exercise_checks import NO_HYPOTHESIS
from course.notebook_runs import CACHE_VARIABLE, NotebookFailed, executed
from course.paths import ROOT
from course.site import assemble

# each execution of this cell leaves one line in runs.txt, next to the notebook
COUNTED = "with open('runs.txt', 'a') as runs:\n    runs.write('run\\n')\nprint('ran')"


def write_notebook(path: Path, *sources: str) -> Path:
    cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}")]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def runs(folder: Path) -> int:
    return len((folder / "runs.txt").read_text().splitlines())


@pytest.fixture
def run_folder(tmp_path, monkeypatch) -> Path:
    """A test run's shared folder, as course/pytest_notebooks.py makes one."""
    folder = tmp_path / "run"
    folder.mkdir()
    monkeypatch.setenv(CACHE_VARIABLE, str(folder))
    return folder


@pytest.mark.slow
def test_a_notebook_runs_once_for_its_test_and_the_site_build(tmp_path, run_folder):
    (tmp_path / "README.md").write_text("# Course\n")
    lesson = tmp_path / "01-sample"
    lesson.mkdir()
    (lesson / "lesson.toml").write_text('title = "Sample"\nsummary = "For the tests."\n')
    notebook = write_notebook(lesson / "01-sample.ipynb", COUNTED)

    executed(notebook)  # what the notebook's test does
    executed(notebook)
    assemble(tmp_path, source_dir=tmp_path / "build", site_dir=tmp_path / "site")

    assert runs(lesson) == 1
    page = nbformat.read(tmp_path / "build" / "content" / "01-sample" / "01-sample.ipynb", 4)
    assert page.cells[1].outputs[0].text == "ran\n"


@pytest.mark.slow
def test_a_failing_notebook_runs_once_and_everyone_who_needs_it_gets_its_error(
    tmp_path, run_folder
):
    notebook = write_notebook(tmp_path / "broken.ipynb", COUNTED, "1 / 0")

    for _ in range(2):
        with pytest.raises(NotebookFailed, match="ZeroDivisionError"):
            executed(notebook)
    assert runs(tmp_path) == 1


def run_pytest(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    """A fresh pytest with the project's configuration, over files in tmp_path."""
    command = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml")]
    command += ["--rootdir", str(tmp_path), "-n", "0", "-p", "no:randomly", *arguments]
    command += NO_HYPOTHESIS
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)


SKIPPING_TESTS = """
import pytest


@pytest.mark.skip(reason="no server here")
def test_one():
    pass


@pytest.mark.skip(reason="no server here")
def test_two():
    pass


@pytest.mark.site
def test_builds_the_site():
    pass


def test_quick():
    pass
"""
SLOW_TEST = """

@pytest.mark.slow
def test_long():
    pass
"""


def test_fast_skips_the_notebooks_and_the_site_and_one_table_groups_the_skips(tmp_path):
    (tmp_path / "test_sample.py").write_text(SKIPPING_TESTS)
    write_notebook(tmp_path / "sample.ipynb", "print('fine')")

    result = run_pytest(tmp_path, "--fast", "test_sample.py", "sample.ipynb")

    assert result.returncode == 0, result.stdout
    assert "1 passed, 4 skipped" in result.stdout
    table = result.stdout.split("4 skipped, by reason")[1].splitlines()
    assert table[1:7] == [
        "   2  no server here",
        "      e.g. test_sample.py::test_one and 1 more",
        "   1  --fast: the notebooks are not executed (`make test` runs them)",
        "      e.g. sample.ipynb::sample.ipynb",
        "   1  --fast: the course site is not built (`make test` builds it)",
        "      e.g. test_sample.py::test_builds_the_site",
    ]
    assert "SKIPPED [" not in result.stdout  # -ra's own skip lines would repeat the table
    assert "slowest 10 durations" in result.stdout


def test_long_tests_start_first_notebooks_before_the_site(tmp_path):
    (tmp_path / "test_sample.py").write_text(SKIPPING_TESTS + SLOW_TEST)
    write_notebook(tmp_path / "sample.ipynb", "print('fine')")

    result = run_pytest(tmp_path, "--collect-only", "-q", "test_sample.py", "sample.ipynb")

    assert result.stdout.splitlines()[:4] == [
        "sample.ipynb::sample.ipynb",
        "test_sample.py::test_builds_the_site",
        "test_sample.py::test_long",
        "test_sample.py::test_one",
    ], result.stdout


@pytest.fixture(scope="module")
def full_run(tmp_path_factory) -> subprocess.CompletedProcess:
    """One fresh pytest, without --fast, over sample tests and a good and a bad notebook.

    Two tests below read it: a pytest and a kernel started once instead of twice.
    """
    folder = tmp_path_factory.mktemp("full-run")
    (folder / "test_sample.py").write_text(SKIPPING_TESTS)
    write_notebook(folder / "good.ipynb", "print('fine')")
    write_notebook(folder / "bad.ipynb", "raise ValueError('the shop is closed')")
    return run_pytest(folder, "-v", "test_sample.py", "good.ipynb", "bad.ipynb")


def outcomes(result: subprocess.CompletedProcess) -> dict[str, str]:
    """Each test's outcome from `pytest -v` lines (`good.ipynb::good.ipynb PASSED [ 50%]`)."""
    found = {}
    for line in result.stdout.splitlines():
        words = line.split()
        if len(words) > 1 and "::" in words[0] and words[1] in ("PASSED", "FAILED", "SKIPPED"):
            found[words[0]] = words[1]
    return found


@pytest.mark.slow
@pytest.mark.xdist_group("suite-full-run")  # one worker, so the run is made once
def test_each_notebook_is_a_test_that_fails_with_the_cell_error(full_run):
    ran = outcomes(full_run)
    assert (ran["good.ipynb::good.ipynb"], ran["bad.ipynb::bad.ipynb"]) == ("PASSED", "FAILED")
    assert full_run.returncode == 1, full_run.stdout
    assert "ValueError: the shop is closed" in full_run.stdout
    assert "\x1b[" not in full_run.stdout  # the kernel's colours are stripped


@pytest.mark.slow
@pytest.mark.xdist_group("suite-full-run")
def test_without_fast_the_site_tests_and_the_notebooks_run(full_run):
    assert outcomes(full_run) == {
        "test_sample.py::test_one": "SKIPPED",
        "test_sample.py::test_two": "SKIPPED",
        "test_sample.py::test_builds_the_site": "PASSED",
        "test_sample.py::test_quick": "PASSED",
        "good.ipynb::good.ipynb": "PASSED",
        "bad.ipynb::bad.ipynb": "FAILED",  # the cell's error: the test above reads it
    }, full_run.stdout
    assert "1 failed, 3 passed, 2 skipped" in full_run.stdout


LESSON_TESTS = """
def test_in_the_lesson():
    pass
"""
TOOLKIT_TESTS = """
import pytest


@pytest.mark.parametrize("page", ["01-sample/part1.md:3", "README.md:5", "99-none/part.md:1"])
def test_a_page(page):
    pass


@pytest.mark.skip(reason="no server here")
def test_skipped():
    pass
"""


def test_the_time_by_lesson_counts_each_test_once_under_its_lesson(tmp_path):
    (tmp_path / "01-sample").mkdir()
    (tmp_path / "01-sample" / "test_lesson.py").write_text(LESSON_TESTS)
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "test_tools.py").write_text(TOOLKIT_TESTS)

    result = run_pytest(tmp_path, "01-sample", "tools")

    assert result.returncode == 0, result.stdout
    table = result.stdout.split("time by lesson (seconds of its tests, summed)")[1].splitlines()
    rows = {line.split()[-1]: line.split()[2] for line in table[1:3]}
    # the page parametrised by 01-sample is that lesson's; an id naming no folder is not
    assert rows == {"01-sample": "2", "tools": "3"}, result.stdout
    assert table[3].split()[1:] == ["s", "in", "all", "(the", "workers", "share", "them)"]


GROUPED_TESTS = """
import pytest


@pytest.mark.xdist_group("together")
def test_grouped_one():
    pass


@pytest.mark.xdist_group("together")
def test_grouped_two():
    pass
"""


@pytest.mark.slow
def test_under_xdist_loadgroup_the_notebooks_still_start_before_the_biggest_group(tmp_path):
    (tmp_path / "test_grouped.py").write_text(GROUPED_TESTS)
    # no code cell: the order is what is checked, and a notebook without code starts no kernel
    write_notebook(tmp_path / "sample.ipynb")

    result = run_pytest(
        tmp_path, "-n", "1", "--dist=loadgroup", "-v", "test_grouped.py", "sample.ipynb"
    )

    ran = [line.split()[-1] for line in result.stdout.splitlines() if " PASSED " in line]
    assert ran == [
        "sample.ipynb::sample.ipynb",
        "test_grouped.py::test_grouped_one@together",
        "test_grouped.py::test_grouped_two@together",
    ], result.stdout
