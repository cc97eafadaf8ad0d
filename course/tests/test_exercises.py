"""Every exercise in the course is checkable: its solution passes and its untouched task fails.

A lesson's exercises are proven together, one pytest per lesson for both sources, as
`course/exercise_proofs.py` says (the tests below show that one exercise's result there is the
same as `course check`'s own run of it). The untouched task is the one committed in git (a
learner's edits do not count); a task not committed yet is taken from the working copy. The
sample lesson in `course/tests/sample_lesson/` keeps the mechanism proven even before a lesson
has exercises.
"""

import tomllib
from pathlib import Path

import pytest

from course.exercise_proofs import proven
from course.exercises import Exercise, exercises_in
from course.lessons import discover
from course.paths import ROOT

SAMPLE_LESSON = Path(__file__).parent / "sample_lesson"
LESSONS = [lesson.path for lesson in discover()] + [SAMPLE_LESSON]
BY_LESSON = {path: exercises_in(path) for path in LESSONS}
EXERCISES = [exercise for exercises in BY_LESSON.values() for exercise in exercises]


def exercise_ids(exercise: Exercise) -> str:
    return exercise.key


def proof(exercise: Exercise):
    """Each lesson's proof (both sources in one run) is read on one worker: nobody waits."""
    group = pytest.mark.xdist_group(f"exercises-{exercise.lesson}")
    # the first of a lesson's tests runs all of its exercises' tests: more than one's time
    return pytest.param(exercise, id=exercise.key, marks=(group, pytest.mark.timeout(900)))


def proof_of(exercise: Exercise, source: str):
    return proven(exercise, BY_LESSON[exercise.task.parents[1]], root=ROOT, source=source)


def test_the_sample_exercise_is_among_those_proven():
    assert "sample_lesson/ex01_greeting" in [exercise.key for exercise in EXERCISES]


@pytest.mark.parametrize("exercise", [proof(one) for one in EXERCISES])
def test_the_tests_pass_against_the_reference_solution(exercise):
    result = proof_of(exercise, "solution")
    assert result.passed, f"{exercise.key}: {result.first_failure}\n{result.output}"


@pytest.mark.parametrize("exercise", [proof(one) for one in EXERCISES])
def test_the_tests_fail_against_the_untouched_task(exercise):
    result = proof_of(exercise, "committed")
    assert result.tests > 0, f"{exercise.key}: no test ran\n{result.output}"
    assert not result.passed, (
        f"{exercise.key}: the task as committed at HEAD already passes its tests "
        "(was a solution committed? this test reads the task from HEAD, not the working copy)"
    )
    # a learner must see which test fails and why, not a task that cannot even be imported
    assert not result.first_failure.startswith("the file does not load"), result.first_failure


@pytest.mark.parametrize("exercise", EXERCISES, ids=exercise_ids)
def test_each_exercise_has_its_test_hints_and_solution(exercise):
    hints = tomllib.loads(exercise.hints_file.read_text())["hints"]
    assert hints, "give at least one hint"
    assert all(isinstance(hint, str) and hint.strip() for hint in hints)
    assert exercise.solution.is_file()
    assert "task = load_exercise(__file__)" in exercise.test.read_text()
    assert exercise.title != exercise.name, "start the task with a docstring that states it"
