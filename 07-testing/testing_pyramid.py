"""The test pyramid, counted on this lesson's own suite: many unit tests, fewer integration
tests, a few end-to-end ones, and what each level costs to run.

As a pytest plugin (`-p testing_pyramid`) it prints, after collection, how many of the
lesson's tests carry each level (the lesson's conftest marks them by the fixtures they use).
Running it as a script collects the counts, then runs each level on its own and adds up the
time of its tests as pytest measured them (set-up, call and tear-down; not the start-up and
collection every run pays), and states what the figures show. The `tool` tests
(pytest, mutmut or pre-commit run in a child process) test the lesson's tooling, not the order
service, so they are counted on a row of their own, outside the pyramid.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from testing_isolation import require_services
from testing_pytest_runs import PytestRun, run_lesson_tests

from course import get_settings

logger = logging.getLogger(__name__)
LESSON_DIR = Path(__file__).resolve().parent
LEVELS = {
    "unit": "not integration and not e2e and not tool",
    "integration": "integration",
    "e2e": "e2e",
    "tool": "tool",
}
PYRAMID = ("unit", "integration", "e2e")
COLLECT = ("--collect-only", "-q", "-p", "testing_pyramid")
COUNTS = re.compile(r"^pyramid: (\w+)=(\d+)$", re.MULTILINE)
# one line of `--durations=0`: "0.12s call     07-testing/tests/test_x.py::test_y"
DURATION = re.compile(r"^(\d+(?:\.\d+)?)s (?:setup|call|teardown) ", re.MULTILINE)
TIMED = ("-q", "-p", "no:xdist", "--durations=0", "--durations-min=0")


def level_of(item: pytest.Item) -> str:
    """Return the level of a collected test, from its markers."""
    for level in ("e2e", "integration", "tool"):
        if item.get_closest_marker(level):
            return level
    return "unit"


def levels(items: list[pytest.Item]) -> dict[str, int]:
    """Return how many of the lesson's tests among `items` are at each level."""
    counts = dict.fromkeys(LEVELS, 0)
    for item in items:
        if LESSON_DIR in item.path.parents:
            counts[level_of(item)] += 1
    return counts


def pytest_collection_finish(session: pytest.Session) -> None:
    """Print the number of the lesson's tests at each level (the plugin's only output)."""
    for level, count in levels(session.items).items():
        print(f"\npyramid: {level}={count}")


def seconds_of(run: PytestRun, level: str) -> float:
    """Return the time of a level's tests; refuse a run that failed, whose time means nothing."""
    if run.returncode != 0:
        raise SystemExit(
            f"the {level} tests failed (exit code {run.returncode}), so their time means "
            f"nothing: run `pytest 07-testing -m {LEVELS[level]!r}` and fix them first"
        )
    return sum(float(seconds) for seconds in DURATION.findall(run.output))


def conclusion(counts: dict[str, int], seconds: dict[str, float]) -> str:
    """Return what the figures show: the unit level's shares, and whether cost rises per level."""
    tests = sum(counts[level] for level in PYRAMID)
    time = sum(seconds[level] for level in PYRAMID)
    per_test = [seconds[level] / max(counts[level], 1) for level in PYRAMID]
    rises = per_test[0] < per_test[1] < per_test[2]
    return (
        f"the unit level is {counts['unit'] / max(tests, 1):.0%} of the pyramid's tests and "
        f"{seconds['unit'] / max(time, 1e-9):.0%} of its time; the cost per test "
        + ("rises at each level up." if rises else "does NOT rise at each level up here.")
    )


def main() -> None:
    require_services(get_settings(), "postgres", "redis")  # the suite needs both
    collected = run_lesson_tests("07-testing/tests", *COLLECT)
    counts = {level: int(count) for level, count in COUNTS.findall(collected.output)}
    print("The lesson's suite by level, each level run on its own, serially; the time is its")
    print("tests' set-up, call and tear-down as pytest measured them (start-up left out):")
    seconds = {}
    for level, expression in LEVELS.items():
        run = run_lesson_tests("07-testing/tests", *TIMED, "-m", expression)
        seconds[level] = seconds_of(run, level)
        per_test = seconds[level] / max(counts[level], 1) * 1000
        figures = f"{counts[level]:3} tests, {seconds[level]:5.1f} s, {per_test:,.0f} ms per test"
        print(f"   {level:>11}: {figures}" + ("  (outside the pyramid)" if level == "tool" else ""))
    print(f"Conclusion: {conclusion(counts, seconds)}")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
