"""Reading pytest's failure report, and what assert rewriting puts into it.

Each test runs another pytest on `samples/report_sample.py`, a test that fails on purpose.
With assert rewriting (the default) the report shows the values on both sides and where the
left one came from; with `--assert=plain` it shows a bare AssertionError.
"""

import pytest
from testing_pytest_runs import SAMPLES, run_samples

SAMPLE = str(SAMPLES / "report_sample.py")
# each test runs a tool in a child process: the `tool` level, not a unit test
pytestmark = pytest.mark.tool


@pytest.fixture(scope="module")
def rewritten():
    return run_samples(SAMPLE)


def test_the_sample_fails_and_the_report_names_the_test(rewritten):
    assert rewritten.returncode == 1
    assert rewritten.count("failed") == 1
    assert "test_the_total_is_the_sum_of_the_lines" in rewritten.output


def test_assert_rewriting_shows_both_values_and_where_they_came_from(rewritten):
    assert "assert 3000 == 2100" in rewritten.output
    assert "+  where 3000 = total_with_a_bug(" in rewritten.output


def test_without_rewriting_the_report_has_no_values():
    plain = run_samples(SAMPLE, "--assert=plain")
    assert plain.returncode == 1
    assert "AssertionError" in plain.output
    assert "3000" not in plain.output
