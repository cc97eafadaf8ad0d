"""Quality gates: coverage with a threshold, mutation testing, and a planted order dependence.

Each test runs a tool in a child process on a tiny target (`orders_shipping.py`, the samples),
so the whole file stays quick; `testing_gates.py` runs the same tools on the lesson's suite.
"""

from testing_mutants import run_both
from testing_pytest_runs import SAMPLES, run_samples

WEAK = str(SAMPLES / "shipping_weak_tests.py")
PAIR = str(SAMPLES / "order_dependent_sample.py")
COVERAGE = ("pytest_cov",)


def test_the_weak_tests_reach_full_line_and_branch_coverage():
    run = run_samples(
        WEAK, "--cov=orders_shipping", "--cov-branch", "--cov-fail-under=100", plugins=COVERAGE
    )
    assert run.returncode == 0, run.output
    assert "Required test coverage of 100% reached" in run.output


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


def test_mutants_survive_full_coverage_and_the_boundary_tests_kill_them():
    weak, strong = run_both()
    assert len(weak.results) >= 5
    assert len(weak.survived) >= 3, weak.results
    assert any(">" in diff and ">=" in diff for diff in weak.survivor_diffs.values())
    assert strong.results.keys() == weak.results.keys()
    assert strong.survived == [], strong.survivor_diffs


def test_the_order_dependent_pair_passes_in_file_order_and_fails_reversed():
    first, second = (
        f"{PAIR}::test_placing_an_order_stores_it",
        f"{PAIR}::test_paying_an_order_changes_its_status",
    )
    assert run_samples(first, second).count("passed") == 2
    reversed_run = run_samples(second, first)
    assert reversed_run.count("failed") == 1
    assert "OrderNotFound" in reversed_run.output


def test_the_fixed_pair_passes_in_either_order():
    first, second = (
        f"{PAIR}::test_placing_an_order_stores_it_fixed",
        f"{PAIR}::test_paying_an_order_changes_its_status_fixed",
    )
    assert run_samples(second, first).count("passed") == 2
    assert run_samples(first, second, "-p", "randomly").count("passed") == 2
