"""The test pyramid, counted on this lesson's own suite: many unit tests, fewer integration
tests, a few end-to-end ones, and what each level costs to run.

As a pytest plugin (`-p testing_pyramid`) it prints, after collection, how many of the
lesson's tests carry each level (the lesson's conftest marks them by the fixtures they use).
Running it as a script collects the counts, then times each level on its own.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from testing_pytest_runs import run_lesson_tests

logger = logging.getLogger(__name__)
LESSON_DIR = Path(__file__).resolve().parent
LEVELS = {
    "unit": "not integration and not e2e",
    "integration": "integration",
    "e2e": "e2e",
}
COUNTS = re.compile(r"^pyramid: (\w+)=(\d+)$", re.MULTILINE)


def level_of(item: pytest.Item) -> str:
    """Return the level of a collected test, from its markers."""
    for level in ("e2e", "integration"):
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


def count_levels() -> dict[str, int]:
    """Collect the lesson's suite in a child pytest; return the number of tests per level."""
    run = run_lesson_tests("07-testing/tests", "--collect-only", "-q", "-p", "testing_pyramid")
    return {level: int(count) for level, count in COUNTS.findall(run.output)}


def main() -> None:
    counts = count_levels()
    print("The lesson's suite by level (each level run on its own, serially):")
    for level, expression in LEVELS.items():
        run = run_lesson_tests("07-testing/tests", "-q", "-p", "no:xdist", "-m", expression)
        per_test = run.seconds / max(counts[level], 1) * 1000
        figures = f"{counts[level]:3} tests, {run.seconds:5.1f} s, {per_test:,.0f} ms per test"
        print(f"   {level:>11}: {figures}")
    print("Conclusion: the unit level is most of the tests and little of the time; each level")
    print("up costs more per test, and catches what the level below cannot.")


if __name__ == "__main__":
    main()
