"""The course passes ruff's lint and format checks, except the files a learner writes in.

An exercise's task file is the learner's: its style never turns `make test` red. What the
course ships is still checked: each task as committed in git, and every reference solution.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from course.exercises import committed_text, exercises_in
from course.lessons import discover
from course.paths import ROOT

TASKS = [exercise.task for lesson in discover() for exercise in exercises_in(lesson.path)]
# ruff reads a comma-separated list of paths (relative to the project root) to leave out
LEAVE_OUT_TASKS = (
    ["--extend-exclude", ",".join(str(task.relative_to(ROOT)) for task in TASKS)] if TASKS else []
)
CHECKS = {"lint": ["check"], "format": ["format", "--check"]}


def ruff(*arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


@pytest.mark.parametrize("check", CHECKS, ids=str)
def test_ruff_passes_on_everything_but_the_learners_tasks(check):
    result = ruff(*CHECKS[check], *LEAVE_OUT_TASKS, ".")
    assert result.returncode == 0, f"run `make format`:\n{result.stdout}{result.stderr}"


def test_the_learners_tasks_are_left_out_and_the_solutions_kept():
    checked = {
        Path(line) for line in ruff("check", "--show-files", *LEAVE_OUT_TASKS, ".").stdout.split()
    }
    assert TASKS, "01-database has exercises: the course must find them"
    assert not checked & set(TASKS), "a learner's task file must not be judged for style"
    solutions = {task.parent / "solutions" / task.name for task in TASKS}
    assert solutions <= checked, "the reference solutions must still be checked"


@pytest.mark.parametrize("task", TASKS, ids=lambda task: f"{task.parents[1].name}/{task.stem}")
@pytest.mark.parametrize("check", CHECKS, ids=str)
def test_each_task_as_committed_passes_ruff(task, check):
    """What the course ships must be clean, whatever the learner has typed into it since."""
    relative = str(task.relative_to(ROOT))
    result = ruff(*CHECKS[check], "--stdin-filename", relative, "-", stdin=committed_text(task))
    assert result.returncode == 0, f"{relative} as committed:\n{result.stdout}{result.stderr}"
