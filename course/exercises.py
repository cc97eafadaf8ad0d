"""Exercises, checked the way rustlings checks them.

The convention every lesson follows:

    NN-lesson/exercises/
        ex01_topic.py          the task: a docstring that states it, TODOs in the code
        test_ex01_topic.py     the tests that check it: `task = load_exercise(__file__)`
        hints/ex01_topic.toml  hints = ["first hint", "second hint", ...], shown one at a time
        solutions/ex01_topic.py   the reference solution, never imported by the task

`course check` runs the tests against the learner's task; `make test` runs them against the
reference solution (they must pass) and against the untouched task from git (they must fail).
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

# "task" (the learner's file, the default), "solution" (the reference solution) or
# "committed" (the task as committed in git, whatever the learner has typed since)
SOURCE_VARIABLE = "COURSE_EXERCISE_SOURCE"


def exercise_file(test_file: str | Path, source: str | None = None) -> Path:
    """The file a checking test exercises: the task, or its reference solution."""
    test_path = Path(test_file).resolve()
    name = test_path.name.removeprefix("test_")
    source = source or os.environ.get(SOURCE_VARIABLE, "task")
    if source == "solution":
        return test_path.parent / "solutions" / name
    if source in ("task", "committed"):
        return test_path.parent / name
    raise ValueError(f"{SOURCE_VARIABLE} must be 'task', 'solution' or 'committed', not {source!r}")


def committed_text(path: Path) -> str:
    """The file as committed at HEAD; the working copy when git does not track it yet."""
    shown = subprocess.run(
        ["git", "show", f"HEAD:./{path.name}"],
        cwd=path.parent,
        capture_output=True,
        text=True,
    )
    return shown.stdout if shown.returncode == 0 else path.read_text()


def load_exercise(test_file: str | Path) -> ModuleType:
    """Import the module that `test_exNN_topic.py` checks, under a name unique to its lesson."""
    path = exercise_file(test_file)
    lesson = path.parents[2].name if path.parent.name == "solutions" else path.parents[1].name
    module_name = f"exercise_{lesson.replace('-', '_')}_{path.stem}"
    if os.environ.get(SOURCE_VARIABLE) == "committed":
        module = ModuleType(module_name)
        module.__file__ = str(path)
        sys.modules[module_name] = module
        exec(compile(committed_text(path), str(path), "exec"), module.__dict__)  # nosec B102  # runs the course's own committed task file
        return module
    return import_module_from(importlib.util.spec_from_file_location(module_name, path), path)


def import_module_from(spec: importlib.machinery.ModuleSpec | None, path: Path) -> ModuleType:
    """Run the module `spec` finds at `path`, registered in `sys.modules` under its name."""
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


EXERCISE_FILE = re.compile(r"^ex(\d\d)_\w+\.py$")


@dataclass(frozen=True)
class Exercise:
    """One exercise: the learner's task and the files that check and help with it."""

    lesson: str
    task: Path

    @property
    def name(self) -> str:
        return self.task.stem

    @property
    def key(self) -> str:
        return f"{self.lesson}/{self.name}"

    @property
    def test(self) -> Path:
        return self.task.parent / f"test_{self.task.name}"

    @property
    def hints_file(self) -> Path:
        return self.task.parent / "hints" / f"{self.name}.toml"

    @property
    def solution(self) -> Path:
        return self.task.parent / "solutions" / self.task.name

    @property
    def title(self) -> str:
        """The first line of the task's docstring, as committed (not as the learner edits it)."""
        docstring = ast.get_docstring(ast.parse(committed_text(self.task))) or self.name
        return docstring.strip().splitlines()[0]

    def matches(self, name: str) -> bool:
        """Whether the learner means this exercise by `ex01_topic`, `ex01`, `01` or `1`."""
        number = self.name[2:4]
        return name in (self.name, self.name[:4], number, number.lstrip("0"))


def exercises_in(lesson_path: Path) -> list[Exercise]:
    """A lesson folder's exercises, in number order."""
    folder = lesson_path / "exercises"
    tasks = sorted(p for p in folder.glob("ex*.py") if EXERCISE_FILE.match(p.name))
    return [Exercise(lesson=lesson_path.name, task=task) for task in tasks]
