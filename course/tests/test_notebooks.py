"""Notebooks are committed clean, the notebook index cannot drift, and the kernel is .venv's."""

import sys

import nbformat
import pytest
from typer.testing import CliRunner

from course.cli import app
from course.notebooks import (
    CLEAN_COMMAND,
    INDEX,
    INDEX_COMMAND,
    build_index,
    clear_outputs,
    committed_notebooks,
    has_outputs,
)
from course.paths import ROOT


def test_the_committed_notebook_index_is_up_to_date():
    committed = ROOT / INDEX
    assert committed.exists(), f"{INDEX} is missing: run `{INDEX_COMMAND}`"
    assert committed.read_text() == build_index(), f"{INDEX} is out of date: run `{INDEX_COMMAND}`"


@pytest.mark.parametrize(
    "notebook", committed_notebooks(), ids=lambda path: str(path.relative_to(ROOT))
)
def test_a_committed_notebook_has_no_outputs_or_execution_counts(notebook):
    assert not has_outputs(notebook), (
        f"{notebook.relative_to(ROOT)} has outputs or execution counts: run `{CLEAN_COMMAND}`"
    )


def write_notebook(path, *cells):
    notebook = nbformat.v4.new_notebook(cells=list(cells))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def write_lesson(root, name, title, summary, notebooks):
    folder = root / name
    folder.mkdir()
    (folder / "lesson.toml").write_text(f'title = "{title}"\nsummary = "{summary}"\n')
    for stem, heading in notebooks:
        write_notebook(folder / f"{stem}.ipynb", nbformat.v4.new_markdown_cell(f"# {heading}"))


def test_the_index_links_every_notebook_in_course_order_with_its_summary(tmp_path):
    write_notebook(
        tmp_path / "notebooks" / "00-start-here.ipynb", nbformat.v4.new_markdown_cell("# Start")
    )
    write_lesson(
        tmp_path, "02-files", "Files", "Write files safely.", [("02-files", "Atomic writes")]
    )
    write_lesson(
        tmp_path,
        "01-database",
        "Databases",
        "Store data.",
        [("01-database-nosql", "Documents and caches"), ("01-database", "Relational data")],
    )

    index = nbformat.reads(build_index(tmp_path), as_version=4)
    text = "\n".join(cell.source for cell in index.cells)

    lines = [line for line in text.splitlines() if line.startswith(("- [", "## "))]
    assert lines == [
        "## Start here",
        "- [Start](00-start-here.ipynb) (`notebooks/00-start-here.ipynb`)",
        "## 01-database: Databases",
        "- [Relational data](../01-database/01-database.ipynb) (`01-database/01-database.ipynb`)",
        "- [Documents and caches](../01-database/01-database-nosql.ipynb) "
        "(`01-database/01-database-nosql.ipynb`)",
        "## 02-files: Files",
        "- [Atomic writes](../02-files/02-files.ipynb) (`02-files/02-files.ipynb`)",
    ]
    assert "Store data. ([README](../01-database/README.md))" in text


def test_the_index_follows_the_notebook_order_a_lesson_toml_gives(tmp_path):
    write_lesson(
        tmp_path,
        "01-database",
        "Databases",
        "Store data.",
        [
            ("01-database", "Part 1"),
            ("01-database-cache", "Part 3"),
            ("01-database-nosql", "Part 2"),
        ],
    )
    manifest = tmp_path / "01-database" / "lesson.toml"
    manifest.write_text(
        manifest.read_text() + 'notebooks = ["01-database.ipynb", "01-database-nosql.ipynb"]\n'
    )

    index = nbformat.reads(build_index(tmp_path), as_version=4)
    text = "\n".join(cell.source for cell in index.cells)

    # listed first, in the listed order; the unlisted one follows
    assert [line.split("]")[0] for line in text.splitlines() if line.startswith("- [")] == [
        "- [Part 1",
        "- [Part 2",
        "- [Part 3",
    ]


def test_the_index_is_the_same_text_each_time_it_is_generated(tmp_path):
    write_lesson(tmp_path, "01-database", "Databases", "Store data.", [("01-database", "One")])
    assert build_index(tmp_path) == build_index(tmp_path)


def test_clearing_a_notebook_removes_its_outputs_and_execution_counts(tmp_path):
    cell = nbformat.v4.new_code_cell("print('hello')", execution_count=3)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    notebook = write_notebook(tmp_path / "run.ipynb", cell)
    assert has_outputs(notebook)

    changed = clear_outputs(notebook)

    assert changed
    assert not has_outputs(notebook)
    assert nbformat.read(notebook, as_version=4).cells[0].source == "print('hello')"
    assert not clear_outputs(notebook)  # a clean notebook is left as it is


def test_a_notebook_is_read_in_a_terminal_with_its_outputs_and_left_unchanged(tmp_path):
    notebook = write_notebook(
        tmp_path / "story.ipynb",
        nbformat.v4.new_markdown_cell("# The story"),
        nbformat.v4.new_code_cell("from pathlib import Path\nprint(6 * 7, Path.cwd().name)"),
    )
    before = notebook.read_bytes()

    result = CliRunner().invoke(app, ["notebooks", "--read", str(notebook)])

    assert result.exit_code == 0, result.output
    # the Markdown, the code, and its output, computed in the notebook's own folder
    assert "# The story" in result.output
    assert "print(6 * 7" in result.output
    assert f"42 {tmp_path.name}" in result.output
    assert notebook.read_bytes() == before, "reading a notebook must not write its outputs"


def test_a_notebook_that_fails_or_is_missing_gives_one_clear_error(tmp_path):
    failing = write_notebook(tmp_path / "bad.ipynb", nbformat.v4.new_code_cell("1 / 0"))

    result = CliRunner().invoke(app, ["notebooks", "--read", str(failing)])
    missing = CliRunner().invoke(app, ["notebooks", "--read", str(tmp_path / "none.ipynb")])

    assert result.exit_code == 1
    # the cell's own error, without colour codes, and no traceback of the course's code
    assert "ZeroDivisionError: division by zero" in result.output
    assert "\x1b[" not in result.output
    assert "course/notebooks.py" not in result.output
    assert missing.exit_code == 1
    assert "no notebook at" in missing.output


def test_the_default_notebook_kernel_runs_the_course_environment_python():
    from jupyter_client.manager import KernelManager

    command = KernelManager(kernel_name="python3").format_kernel_cmd()
    assert command[0] == sys.executable
