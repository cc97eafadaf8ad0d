"""Check one exercise: run its tests in a fresh pytest and say, in plain words, what failed.

Each exercise runs in its own pytest subprocess, so a learner's half-written module (an
import error, an endless loop) never affects another exercise or the `course` command.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from course.exercise_plugin import EXPECTED, GAVE
from course.exercises import SOURCE_VARIABLE, Exercise

TODO_PREFIXES = ("NotImplementedError: TODO:", "NotImplementedError: TODO", "NotImplementedError:")


@dataclass(frozen=True)
class CheckResult:
    """What one run of an exercise's tests found."""

    exercise: Exercise
    tests: int
    failed: int
    first_failure: str  # plain words; empty when every test passed
    output: str  # pytest's own report, for whoever wants the details
    # a failed `==`: what the learner's code gave and what was expected, one line each
    compared: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.tests > 0 and self.failed == 0


def plain_words(message: str) -> str:
    """Turn pytest's failure message into the line a learner needs to read."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if not lines:
        return "failed (no message)"
    first = lines[0]
    if first.startswith("NotImplementedError"):
        for prefix in TODO_PREFIXES:
            if first.startswith(prefix):
                return f"not done yet: {first.removeprefix(prefix).strip() or 'a TODO remains'}"
    if first.startswith("AssertionError: "):
        return first.removeprefix("AssertionError: ")
    where = [line.lstrip("+ ") for line in lines[1:] if line.startswith("+")]
    if first.startswith("assert ") and where:
        return f"{first} ({where[0]})"
    return first


def compared(message: str) -> tuple[str, ...]:
    """The two sides of a failed `==`, as `course.exercise_plugin` labelled them."""
    lines = [line.strip() for line in message.splitlines()]
    return tuple(line for line in lines if line.startswith((GAVE, EXPECTED)))


def first_failure(report: Path) -> tuple[int, int, str, tuple[str, ...]]:
    """The test and failure counts, the first failure and its two sides, from JUnit XML."""
    root = ElementTree.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = sum(int(suite.get("tests", 0)) for suite in suites)
    failed = sum(int(suite.get("failures", 0)) + int(suite.get("errors", 0)) for suite in suites)
    for case in root.iter("testcase"):
        for problem in (*case.iter("failure"), *case.iter("error")):
            message = problem.get("message") or ""
            if not message or message.startswith("collection failure"):
                load = f"the file does not load: {load_error(problem.text or '')}"
                return tests, failed, load, ()
            test_name = case.get("name", "").split("[")[0].removeprefix("test_")
            failure = f"{test_name.replace('_', ' ')}: {plain_words(message)}"
            return tests, failed, failure, compared(message)
    return tests, failed, "", ()


def load_error(traceback: str) -> str:
    """The exception that stopped a module from importing, with the line it points at."""
    errors = [line[1:].strip() for line in traceback.splitlines() if line.startswith("E ")]
    if not errors:
        return "see `pytest` for the details"
    where = [re.search(r'File "([^"]+)", line (\d+)', line) for line in errors]
    found = [match for match in where if match]
    place = f" ({Path(found[-1][1]).name}, line {found[-1][2]})" if found else ""
    return f"{errors[-1]}{place}"


def check_exercise(exercise: Exercise, *, root: Path, source: str = "task") -> CheckResult:
    """Run the exercise's tests against the task (or `solution`, or `committed`) and report."""
    environment = {**os.environ, SOURCE_VARIABLE: source}
    environment.pop("PYTEST_ADDOPTS", None)
    # exercises may import their lesson's modules, as the lesson's own tests do
    lesson_folder = str(exercise.task.parents[1])
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, (lesson_folder, environment.get("PYTHONPATH")))
    )
    with tempfile.TemporaryDirectory(prefix="course-check-") as scratch:
        report = Path(scratch) / "report.xml"
        command = [
            *(sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:xdist", "-q"),
            *("-p", "course.exercise_plugin"),
            *("--no-header", "--tb=short", f"--junitxml={report}", str(exercise.test)),
        ]
        run = subprocess.run(command, cwd=root, env=environment, capture_output=True, text=True)
        output = run.stdout + run.stderr
        if not report.exists():
            lines = [line for line in output.splitlines() if line.strip()]
            return CheckResult(exercise, 0, 1, lines[-1] if lines else "pytest did not run", output)
        tests, failed, failure, sides = first_failure(report)
    if tests == 0:
        failure = failure or "no tests were collected"
    return CheckResult(exercise, tests, failed, failure, output, sides)


def style_tip(path: Path) -> str | None:
    """A tip when ruff would change the learner's file; style never decides a check."""
    ruff = [sys.executable, "-m", "ruff"]
    try:
        lint = subprocess.run([*ruff, "check", "--quiet", str(path)], capture_output=True)
        layout = subprocess.run([*ruff, "format", "--check", str(path)], capture_output=True)
    except OSError:
        return None
    # exit code 1 means "found something"; anything else (ruff missing: 1 too, with stderr)
    if b"No module named" in lint.stderr or (lint.returncode, layout.returncode) == (0, 0):
        return None
    return (
        f"tip: ruff would tidy the style of {path.name} (`make format` does it); "
        "style never counts against an exercise"
    )
