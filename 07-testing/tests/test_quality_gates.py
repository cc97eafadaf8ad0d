"""Quality gates: coverage with a threshold, mutation testing, and a planted order dependence.

Each `tool` test runs a tool in a child process on a tiny target (`orders_shipping.py`, the
samples), so the whole file stays quick; `testing_gates.py` runs the same tools on the lesson's
suite, and the last test checks how it states the speed-up of `-n 2`.
"""

import re

import pytest
from testing_gates import alternated, speedup_figure, too_noisy
from testing_mutants import run_both
from testing_pytest_runs import SAMPLES, run_samples

WEAK = str(SAMPLES / "shipping_weak_tests.py")
PAIR = str(SAMPLES / "order_dependent_sample.py")
COVERAGE = ("pytest_cov",)
# the three mutants the weak tests let live, as part 6 prints them
SURVIVORS = {"if total_cents < 0:", "if total_cents <= 1:", "if total_cents > FREE_FROM_CENTS:"}
# `tool`: the test runs a tool in a child process, so it is no unit test
TOOL = pytest.mark.tool


def changed_lines(diffs: dict[str, str]) -> set[str]:
    """Return the lines the mutants put in (a diff's `+` lines), without their indentation."""
    lines = (line for diff in diffs.values() for line in diff.splitlines())
    return {
        line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++")
    }


@TOOL
def test_the_weak_tests_reach_full_line_and_branch_coverage():
    run = run_samples(
        WEAK, "--cov=orders_shipping", "--cov-branch", "--cov-fail-under=100", plugins=COVERAGE
    )
    assert run.returncode == 0, run.output
    assert "Required test coverage of 100% reached" in run.output


@TOOL
def test_a_run_below_the_threshold_fails_even_though_every_test_passed():
    run = run_samples(
        WEAK,
        "-k",
        "large",
        "--cov=orders_shipping",
        "--cov-branch",
        "--cov-fail-under=100",
        plugins=COVERAGE,
    )
    assert run.count("passed") == 1 and run.count("failed") == 0
    assert run.returncode != 0
    assert "Required test coverage of 100% not reached" in run.output


@TOOL
def test_mutants_survive_full_coverage_and_the_boundary_tests_kill_them():
    weak, strong = run_both()
    assert len(weak.results) >= 5
    assert len(weak.survived) >= 3, weak.results
    # the changed (+) lines only: every diff also shows `>=` in its unchanged context
    assert changed_lines(weak.survivor_diffs) == SURVIVORS, weak.survivor_diffs
    assert strong.results.keys() == weak.results.keys()
    # every mutant killed: "timeout" or "suspicious" would not count as caught
    assert set(strong.results.values()) == {"killed"}, strong.results


@TOOL
def test_the_planted_pair_fails_reversed_and_the_fixed_pair_passes_either_way():
    names = ["test_placing_an_order_stores_it", "test_paying_an_order_changes_its_status"]
    planted = [f"{PAIR}::{name}" for name in names]
    fixed = [f"{PAIR}::{name}_fixed" for name in names]
    assert run_samples(*planted, *fixed).count("passed") == 4  # file order
    reversed_run = run_samples(*planted[::-1], *fixed[::-1])
    assert (reversed_run.count("failed"), reversed_run.count("passed")) == (1, 3)
    assert "OrderNotFound" in reversed_run.output
    # the one failure is the planted test that relied on the other, not its fixed twin
    planted_failure = r"FAILED \S+::test_paying_an_order_changes_its_status\b(?!_)"
    assert re.search(planted_failure, reversed_run.output)


def test_the_speed_up_is_serial_over_parallel_with_the_medians_and_the_range_beside_it():
    figure = speedup_figure(serial=[10.0, 12.0, 11.0], parallel=[6.0, 5.0, 7.0])
    assert (figure["baseline"], figure["measured"], figure["ratio"]) == (11.0, 6.0, 1.83)
    assert "serial 10.0-12.0 s, -n 2 5.0-7.0 s)" in figure["name"]
    assert "TOO NOISY" not in figure["name"]


def test_rounds_that_differ_too_much_are_called_noisy_and_run_abba():
    assert too_noisy(serial=[10.0, 12.0, 30.0], parallel=[6.0, 5.0, 7.0])
    assert "TOO NOISY" in speedup_figure([10.0, 12.0, 30.0], [6.0, 5.0, 7.0])["name"]
    assert alternated(2) == [0, 2, 2, 0]  # a trend in the machine's load hits both sides
