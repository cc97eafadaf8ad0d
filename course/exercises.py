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

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

# "task" (the learner's file, the default) or "solution" (the reference solution)
SOURCE_VARIABLE = "COURSE_EXERCISE_SOURCE"


def exercise_file(test_file: str | Path, source: str | None = None) -> Path:
    """The file a checking test exercises: the task, or its reference solution."""
    test_path = Path(test_file).resolve()
    name = test_path.name.removeprefix("test_")
    source = source or os.environ.get(SOURCE_VARIABLE, "task")
    if source == "solution":
        return test_path.parent / "solutions" / name
    if source == "task":
        return test_path.parent / name
    raise ValueError(f"{SOURCE_VARIABLE} must be 'task' or 'solution', not {source!r}")


def load_exercise(test_file: str | Path) -> ModuleType:
    """Import the module that `test_exNN_topic.py` checks, under a name unique to its lesson."""
    path = exercise_file(test_file)
    lesson = path.parents[2].name if path.parent.name == "solutions" else path.parents[1].name
    module_name = f"exercise_{lesson.replace('-', '_')}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the exercise {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
