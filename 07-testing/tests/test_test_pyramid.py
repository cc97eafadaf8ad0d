"""The lesson's suite has the shape of a pyramid: more unit tests than integration tests, and
more integration tests than end-to-end ones, counted on this very run's collection. The script
refuses to time a level whose run failed, and its conclusion comes from the figures."""

from pathlib import Path

import pytest
from testing_pyramid import conclusion, levels, seconds_of
from testing_pytest_runs import PytestRun

TESTS = Path(__file__).resolve().parent


def test_the_lesson_suite_is_a_pyramid(request):
    items = request.session.items
    collected = {item.path for item in items if TESTS in item.path.parents}
    if collected != set(TESTS.rglob("test_*.py")):
        pytest.skip("only part of the lesson was collected: run `pytest 07-testing` to count it")
    counts = levels(items)
    assert counts["unit"] > counts["integration"] > counts["e2e"] > 0, counts


def test_a_level_is_timed_by_its_tests_durations_and_not_if_its_run_failed():
    output = "0.50s call     t.py::test_a\n0.25s setup    t.py::test_a\n2 passed in 9.00s\n"
    assert seconds_of(PytestRun(0, output, 9.0), "unit") == 0.75  # not the 9 s of the run
    with pytest.raises(SystemExit, match="the integration tests failed"):
        seconds_of(PytestRun(1, "2 errors", 3.0), "integration")


def test_the_conclusion_says_what_the_figures_show_even_when_it_is_not_a_pyramid():
    counts = {"unit": 60, "integration": 30, "e2e": 5}
    cheap_units = {"unit": 1.0, "integration": 6.0, "e2e": 5.0}
    assert "8% of its time; the cost per test rises" in conclusion(counts, cheap_units)
    slow_units = {"unit": 30.0, "integration": 6.0, "e2e": 5.0}
    assert "73% of its time; the cost per test does NOT rise" in conclusion(counts, slow_units)
