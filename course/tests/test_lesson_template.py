"""`course new-lesson` creates a complete lesson whose own tests and exercise work."""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib

import nbformat
import pytest
from typer.testing import CliRunner

from course.cli import app
from course.exercise_checks import NO_HYPOTHESIS, check_exercise
from course.exercises import exercises_in
from course.lessons import load_lesson
from course.paths import ROOT
from course.progress import ROOT_VARIABLE

runner = CliRunner()
LESSON = "08-message-queues"
README_SECTIONS = ["What you will learn", "Before you start", "The map"]
PART_SECTIONS = [
    "Concepts",
    "Run it",
    "Walkthrough",
    "Check yourself",
    "Exercises",
    "Further reading",
]
PART_PAGE = "part1-message_queues.md"


@pytest.fixture
def lesson(tmp_path, monkeypatch):
    """A lesson made from the template in an empty copy of the repository."""
    for name in ("pyproject.toml", "conftest.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    monkeypatch.setenv(ROOT_VARIABLE, str(tmp_path))
    result = runner.invoke(app, ["new-lesson", LESSON, 'Queues and "workers"'])
    assert result.exit_code == 0, result.output
    return tmp_path / LESSON


def test_the_lesson_has_every_part(lesson):
    parts = sorted(path.relative_to(lesson).as_posix() for path in lesson.rglob("*.*"))
    assert parts == [
        f"{LESSON}.ipynb",
        "README.md",
        "TEACHING.md",
        "exercises/ex01_message_queues.py",
        "exercises/hints/ex01_message_queues.toml",
        "exercises/solutions/ex01_message_queues.py",
        "exercises/test_ex01_message_queues.py",
        "lesson.toml",
        "message_queues_example.py",
        PART_PAGE,
        "tests/test_message_queues_example.py",
    ]
    assert not [path for path in lesson.rglob("*.*") if "{{" in path.read_text()]


def headings(page):
    return re.findall(r"^## (.+)$", page.read_text(), flags=re.MULTILINE)


def test_the_readme_and_the_part_page_have_the_lesson_guides_sections_in_order(lesson):
    assert headings(lesson / "README.md") == README_SECTIONS
    assert headings(lesson / PART_PAGE) == PART_SECTIONS
    assert f"]({PART_PAGE})" in (lesson / "README.md").read_text()
    assert "](TEACHING.md)" in (lesson / "README.md").read_text()


def test_every_shell_block_of_the_new_pages_is_marked_for_the_commands_test(lesson):
    shell_blocks = 0
    for page in lesson.glob("*.md"):
        lines = page.read_text().splitlines()
        for number, line in enumerate(lines):
            if line.startswith("```bash"):
                shell_blocks += 1
                assert lines[number - 1].startswith("<!-- commands: "), f"{page.name}:{number}"
    assert shell_blocks >= 2  # the part page runs the script and the tests


def test_the_manifest_lists_the_topic_script(lesson):
    manifest = tomllib.loads((lesson / "lesson.toml").read_text())
    assert manifest["title"] == 'Queues and "workers"'
    assert [script.name for script in load_lesson(lesson).scripts] == ["message_queues_example.py"]


def test_the_notebook_checks_services_first_and_has_no_outputs(lesson):
    notebook = nbformat.read(lesson / f"{LESSON}.ipynb", as_version=4)
    nbformat.validate(notebook)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "course.check_services(" in code_cells[0].source
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code_cells)
    assert notebook.metadata.kernelspec.name == "python3"


def test_an_existing_folder_is_never_overwritten(lesson):
    readme = lesson / "README.md"
    readme.write_text("my own words")
    result = runner.invoke(app, ["new-lesson", LESSON, "Again"])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert readme.read_text() == "my own words"


@pytest.mark.parametrize("name", ["8-queues", "08_queues", "08-Queues", "queues"])
def test_a_badly_named_lesson_is_refused(tmp_path, monkeypatch, name):
    monkeypatch.setenv(ROOT_VARIABLE, str(tmp_path))
    result = runner.invoke(app, ["new-lesson", name, "Queues"])
    assert result.exit_code == 1
    assert "NN-topic" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_lessons_own_tests_and_notebook_pass(lesson):
    environment = {**os.environ, "PYTHONPATH": str(lesson)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *NO_HYPOTHESIS, str(lesson)],
        cwd=lesson.parent,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout  # four tests and the notebook


def test_the_lessons_exercise_passes_with_its_solution_and_fails_as_given(lesson):
    (exercise,) = exercises_in(lesson)
    assert check_exercise(exercise, root=lesson.parent, source="solution").passed
    untouched = check_exercise(exercise, root=lesson.parent, source="task")
    assert not untouched.passed
    assert "not done yet: count the different words" in untouched.first_failure


def test_the_generated_code_passes_the_course_linter(lesson):
    (lesson.parent / "course").symlink_to(ROOT / "course")  # so ruff sees `course` as ours
    for arguments in (["check", LESSON], ["format", "--check", LESSON]):
        run = subprocess.run(
            [sys.executable, "-m", "ruff", *arguments],
            cwd=lesson.parent,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout + run.stderr


def test_the_template_itself_is_valid_json_for_the_notebook():
    template = ROOT / "course" / "templates" / "lesson" / "LESSON.ipynb.tmpl"
    assert json.loads(template.read_text())["nbformat"] == 4
