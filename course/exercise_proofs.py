"""Prove a lesson's exercises in one pytest run, shared by the whole test run.

`course/tests/test_exercises.py` proves every exercise twice: its tests pass against the
reference solution and fail against the task as committed. `course check` gives each exercise
a pytest of its own (a learner's half-written module must not affect another); the course's
own solutions and committed tasks need no such guard, so here one pytest runs all of a
lesson's exercise tests against both sources (`course/exercise_phases.py` collects each file
once per source), and each exercise's result is read from its own test file's cases in the
JUnit report. The result is written into the test run's shared
folder (`course/notebook_runs.py`), so whichever worker needs it first runs it and the others
read it.
"""

from __future__ import annotations

import hashlib
import tempfile
import xml.etree.ElementTree as ElementTree  # nosec B405  # the JUnit XML our own pytest run just wrote
from dataclasses import asdict
from pathlib import Path

from course.exercise_checks import CheckResult, not_run, pytest_run, result_of
from course.exercise_phases import PHASES_VARIABLE
from course.exercises import Exercise
from course.notebook_runs import shared


def dotted(test_file: Path, root: Path) -> str:
    """How JUnit names a test file's module: `01-database.exercises.test_ex01_units_sold`."""
    return ".".join(test_file.relative_to(root).with_suffix("").parts)


def cases_of(module: str, cases: list[ElementTree.Element]) -> list[ElementTree.Element]:
    """The cases of one test file (or of one source's module in it): tests and load error."""
    return [
        case
        for case in cases
        if case.get("classname") == module
        or (case.get("classname") or "").startswith(f"{module}.")
        # a collection error is named after its node: `module` itself
        or f"{case.get('classname') or ''}.{case.get('name')}".lstrip(".") == module
    ]


def check_sources(
    exercises: list[Exercise], *, root: Path, sources: tuple[str, ...]
) -> dict[str, list[CheckResult]]:
    """Run one lesson's exercise tests against each source in one pytest; each one's result."""
    phased = len(sources) > 1  # course/exercise_phases.py collects every file once per source
    with tempfile.TemporaryDirectory(prefix="course-proof-") as scratch:
        report = Path(scratch) / "report.xml"
        run = pytest_run(
            [exercise.test for exercise in exercises], root=root,
            lesson_folder=exercises[0].task.parents[1], source=sources[0], report=report,
            plugins=("course.exercise_phases",) if phased else (),
            environment={PHASES_VARIABLE: ",".join(sources)} if phased else None,
        )  # fmt: skip
        output = run.stdout + run.stderr
        if not report.exists():
            return {source: [not_run(one, output) for one in exercises] for source in sources}
        cases = list(ElementTree.parse(report).getroot().iter("testcase"))  # nosec B314  # the JUnit XML our own pytest run just wrote
    return {
        source: [
            result_of(
                exercise,
                cases_of(dotted(exercise.test, root) + (f".{source}" if phased else ""), cases),
                output,
            )
            for exercise in exercises
        ]
        for source in sources
    }


def check_together(exercises: list[Exercise], *, root: Path, source: str) -> list[CheckResult]:
    """Run the exercises' tests (one lesson's) in one pytest; each exercise's own result."""
    return check_sources(exercises, root=root, sources=(source,))[source]


def proof_name(exercises: list[Exercise], source: str) -> str:
    """Names this proof by its files' paths and text: edited files are proven again."""
    digest = hashlib.sha256(source.encode())
    for exercise in exercises:
        for path in (exercise.test, exercise.task, exercise.solution):
            digest.update(str(path.resolve()).encode())
            digest.update(path.read_bytes() if path.exists() else b"")
    return f"exercises {source} {digest.hexdigest()}"


PROOF_SOURCES = ("solution", "committed")


def proven(exercise: Exercise, lesson: list[Exercise], *, root: Path, source: str) -> CheckResult:
    """The exercise's result from its lesson's one run against every source, once per run."""

    def prove() -> dict[str, dict[str, dict]]:
        found = check_sources(lesson, root=root, sources=PROOF_SOURCES)
        return {
            one: {result.exercise.key: {**asdict(result), "exercise": None} for result in results}
            for one, results in found.items()
        }

    fields = shared(proof_name(lesson, ",".join(PROOF_SOURCES)), prove)[source][exercise.key]
    return CheckResult(**{**fields, "exercise": exercise, "compared": tuple(fields["compared"])})
