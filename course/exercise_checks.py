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
import xml.etree.ElementTree as ElementTree  # nosec B405  # the JUnit XML our own pytest run just wrote
from dataclasses import dataclass
from pathlib import Path

from course.exercise_plugin import EXPECTED, GAVE
from course.exercises import SOURCE_VARIABLE, Exercise
from course.services.probes import SERVICE_DOWN

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

    @property
    def service_down(self) -> str | None:
        """Why the tests could not run (a service does not answer), or None."""
        _, marked, cause = self.first_failure.partition(SERVICE_DOWN)
        return cause.rstrip('"') if marked else None


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


def summarize(cases: list[ElementTree.Element]) -> tuple[int, int, str, tuple[str, ...]]:
    """The counts, the first failure and its two sides, from one file's JUnit test cases."""
    problems = [[*case.iter("failure"), *case.iter("error")] for case in cases]
    tests, failed = len(cases), sum(1 for found in problems if found)
    for case, found in zip(cases, problems, strict=True):
        for problem in found:
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


# Hypothesis's pytest plugin imports all of hypothesis at the end of every run
# (pytest_terminal_summary), and Schemathesis's imports Schemathesis and Hypothesis as it
# loads: used or not, 0.7 s of CPU a pytest (1.4 s where Python caches no bytecode); runs
# without property or schema tests leave both out
NO_HYPOTHESIS = ("-p", "no:hypothesispytest", "-p", "no:schemathesis")


def unused_plugins(test_files: list[Path]) -> tuple[str, ...]:
    """The Hypothesis and Schemathesis plugins, when no test uses them: ~0.7 s of CPU a run."""
    texts = [path.read_text() for path in test_files if path.exists()]
    if any("schemathesis" in text for text in texts):
        return ()
    if any("hypothesis" in text for text in texts):
        return ("-p", "no:schemathesis")  # Schemathesis is built on Hypothesis, not the reverse
    return NO_HYPOTHESIS


def pytest_run(
    test_files: list[Path],
    *,
    root: Path,
    lesson_folder: Path,
    source: str,
    report: Path,
    plugins: tuple[str, ...] = (),
    environment: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run these exercise tests in a fresh pytest against `source`, with a JUnit report."""
    environment = {**os.environ, SOURCE_VARIABLE: source, **(environment or {})}
    environment.pop("PYTEST_ADDOPTS", None)
    # exercises may import their lesson's modules, as the lesson's own tests do
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, (str(lesson_folder), environment.get("PYTHONPATH")))
    )
    command = [
        *(sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:xdist", "-q"),
        *("-p", "course.exercise_plugin", "--continue-on-collection-errors"),
        *(argument for plugin in plugins for argument in ("-p", plugin)),
        *unused_plugins(test_files),
        *("--no-header", "--tb=short", f"--junitxml={report}", *map(str, test_files)),
    ]
    return subprocess.run(command, cwd=root, env=environment, capture_output=True, text=True)


def not_run(exercise: Exercise, output: str) -> CheckResult:
    """The result when pytest wrote no report: its last line says why."""
    lines = [line for line in output.splitlines() if line.strip()]
    return CheckResult(exercise, 0, 1, lines[-1] if lines else "pytest did not run", output)


def result_of(exercise: Exercise, cases: list[ElementTree.Element], output: str) -> CheckResult:
    """One exercise's result from its test file's JUnit test cases."""
    tests, failed, failure, sides = summarize(cases)
    if tests == 0:
        failure = failure or "no tests were collected"
    return CheckResult(exercise, tests, failed, failure, output, sides)


def check_exercise(exercise: Exercise, *, root: Path, source: str = "task") -> CheckResult:
    """Run the exercise's tests against the task (or `solution`, or `committed`) and report."""
    with tempfile.TemporaryDirectory(prefix="course-check-") as scratch:
        report = Path(scratch) / "report.xml"
        run = pytest_run(
            [exercise.test], root=root, lesson_folder=exercise.task.parents[1],
            source=source, report=report,
        )  # fmt: skip
        output = run.stdout + run.stderr
        if not report.exists():
            return not_run(exercise, output)
        cases = list(ElementTree.parse(report).getroot().iter("testcase"))  # nosec B314  # the JUnit XML our own pytest run just wrote
    return result_of(exercise, cases, output)


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
