"""Quality gates on the lesson's own suite: coverage with a threshold, random order, `-n 2`.

Running it (PostgreSQL and Redis up) shows:
1. the lesson's suite under pytest-cov with branch coverage of the order service's modules,
   failing the run below COVERAGE_THRESHOLD percent;
2. the planted order-dependent pair (`samples/order_dependent_sample.py`) under
   pytest-randomly with a few seeds: some orders fail, which is how random order catches it;
3. the lesson's suite serially and under pytest-xdist with two workers, timed in the same run
   (`benchmark`, which `make bench` collects). mutmut has its own script: `testing_mutants.py`.
"""

from __future__ import annotations

import logging
import re

from testing_pytest_runs import SAMPLES, PytestRun, run_lesson_tests, run_samples

logger = logging.getLogger(__name__)
COVERAGE_THRESHOLD = 90
# the order service itself; the live server and the locustfile run in child processes
COVERED = ["orders_api", "orders_cache", "orders_domain", "orders_draft", "orders_export"]
COVERED += ["orders_payment_links", "orders_receipts", "orders_repository", "orders_service"]
COVERED += ["orders_shipping", "orders_tables"]
SUITE = ("07-testing/tests",)
TOTAL = re.compile(r"^TOTAL.*?(\d+(?:\.\d+)?)%$", re.MULTILINE)


def coverage_gate(paths: tuple[str, ...] = SUITE, threshold: int = COVERAGE_THRESHOLD) -> PytestRun:
    """Run the tests with branch coverage of the order service; fail below the threshold."""
    cov = [f"--cov={module}" for module in COVERED]
    # serially: under xdist a worker imports the lesson's conftest (and what it imports)
    # before coverage starts in it, so module-level lines would count as missed
    options = ["-p", "no:xdist", "--cov-branch", f"--cov-fail-under={threshold}"]
    return run_lesson_tests(*paths, "-q", *cov, *options, "--cov-report=term")


def total_percent(run: PytestRun) -> float | None:
    """Return the TOTAL coverage percentage a pytest-cov report printed."""
    found = TOTAL.search(run.output)
    return float(found.group(1)) if found else None


def failing_seeds(seeds: range) -> list[int]:
    """Run the order-dependent pair under pytest-randomly with each seed; return those that fail."""
    pair = str(SAMPLES / "order_dependent_sample.py")
    runs = {seed: run_samples(pair, "-p", "randomly", f"--randomly-seed={seed}") for seed in seeds}
    return [seed for seed, run in runs.items() if run.count("failed")]


def timed_suite(paths: tuple[str, ...], workers: int) -> float:
    """Return the wall time of the tests, serially (workers=0) or under pytest-xdist."""
    run = run_lesson_tests(*paths, "-q", "-p", "no:randomly", "-n", str(workers))
    if run.returncode != 0:
        raise RuntimeError(f"the suite failed, so its time means nothing:\n{run.output[-2000:]}")
    return run.seconds


def benchmark(settings, paths: tuple[str, ...] = SUITE) -> list[dict]:
    """The figures for `make bench`: the suite serially vs under `-n 2`, in one run."""
    serial, parallel = timed_suite(paths, 0), timed_suite(paths, 2)
    return [
        {
            "name": "the testing lesson's suite: two xdist workers vs serial",
            "baseline_label": "serial",
            "baseline": round(serial, 1),
            "measured_label": "-n 2",
            "measured": round(parallel, 1),
            "unit": "s wall",
            "ratio": round(parallel / serial, 2),
        }
    ]


def main() -> None:
    print(f"1. The lesson's suite with branch coverage, threshold {COVERAGE_THRESHOLD}%:")
    gate = coverage_gate()
    print(f"   {gate.count('passed')} passed, total coverage {total_percent(gate)}%,")
    print(f"   exit code {gate.returncode} ({'passes' if gate.returncode == 0 else 'fails'})")
    print("2. The order-dependent pair under pytest-randomly, seeds 1 to 6:")
    failed = failing_seeds(range(1, 7))
    print(f"   the seeds whose order fails: {failed} (-p randomly --randomly-seed=N repeats one)")
    print("3. The lesson's suite serially, then with two xdist workers:")
    figure = benchmark(None)[0]
    print(f"   serial {figure['baseline']} s, -n 2 {figure['measured']} s ({figure['ratio']}x)")
    print("Conclusion: each gate is a command with an exit code, so CI can refuse a change.")


if __name__ == "__main__":
    main()
