"""Quality gates on the lesson's own suite: coverage with a threshold, random order, `-n 2`.

Running it (PostgreSQL and Redis up) shows:
1. the lesson's suite under pytest-cov with branch coverage of the order service's modules,
   failing the run below COVERAGE_THRESHOLD percent;
2. the planted order-dependent pair (`samples/order_dependent_sample.py`) under
   pytest-randomly with a few seeds: some orders fail, which is how random order catches it;
3. the lesson's suite serially and under pytest-xdist with two workers, timed in the same run:
   one untimed warm-up, then the two alternated for a few rounds, the median of each and the
   speed-up (`benchmark`, which `make bench` collects);
4. the flaky receipt check of part 6 run many times with no gate: how often it passes.
mutmut has its own script: `testing_mutants.py`.
"""

from __future__ import annotations

import logging
import re
import time
from statistics import median

from orders_receipts import ReceiptSender
from testing_isolation import require_services
from testing_pytest_runs import SAMPLES, PytestRun, run_lesson_tests, run_samples

from course import get_settings

logger = logging.getLogger(__name__)
COVERAGE_THRESHOLD = 90
# the order service itself; the locustfile and the server's child half (app_from_env) run in
# child processes, and orders_live_server's parent half is left out with it
COVERED = ["orders_api", "orders_cache", "orders_domain", "orders_draft", "orders_export"]
COVERED += ["orders_payment_links", "orders_receipts", "orders_repository", "orders_service"]
COVERED += ["orders_shipping", "orders_tables"]
SUITE = ("07-testing/tests",)
# timed without the tool tests (they start their own child processes, two at once for mutmut)
# and the Locust test (bounded by -t: fixed wall time, whatever the workers)
TIMED = ("-m", "not tool", "--ignore=07-testing/tests/test_orders_load.py")
WORKERS = 2
NOISY = 1.5  # max/min of one side's rounds above this: the load moved more than xdist saves
TOTAL = re.compile(r"^TOTAL.*?(\d+(?:\.\d+)?)%$", re.MULTILINE)


def coverage_gate(paths: tuple[str, ...] = SUITE, threshold: int = COVERAGE_THRESHOLD) -> PytestRun:
    """Run the tests with branch coverage of the order service; fail below the threshold."""
    cov = [f"--cov={module}" for module in COVERED]
    # serially for one process and one data file; pytest-cov measures xdist workers as well
    # (what it cannot see is code imported before it starts, e.g. by a plugin given with -p)
    options = ["-p", "no:xdist", "--cov-branch", f"--cov-fail-under={threshold}"]
    return run_lesson_tests(*paths, "-q", *cov, *options, "--cov-report=term")


def total_percent(run: PytestRun) -> float | None:
    """Return the TOTAL coverage percentage a pytest-cov report printed."""
    found = TOTAL.search(run.output)
    return float(found.group(1)) if found else None


def failing_seeds(seeds: range) -> list[int]:
    """Run the order-dependent pair under pytest-randomly with each seed; return those that fail."""
    pair = str(SAMPLES / "order_dependent_sample.py")
    # run_samples turns plugin autoload off (plain pytest), so pytest-randomly is asked for
    runs = {seed: run_samples(pair, "-p", "randomly", f"--randomly-seed={seed}") for seed in seeds}
    return [seed for seed, run in runs.items() if run.count("failed")]


def timed_suite(paths: tuple[str, ...], workers: int) -> float:
    """Return the wall time of the tests, serially (workers=0) or under pytest-xdist."""
    run = run_lesson_tests(*paths, "-q", "-p", "no:randomly", "-n", str(workers), *TIMED)
    if run.returncode != 0:
        raise RuntimeError(f"the suite failed, so its time means nothing:\n{run.output[-2000:]}")
    return run.seconds


def alternated(rounds: int) -> list[int]:
    """Return the worker counts to run, ABBA: each round swaps which side goes first."""
    return [w for n in range(rounds) for w in ((0, WORKERS) if n % 2 == 0 else (WORKERS, 0))]


def suite_times(paths: tuple[str, ...], rounds: int) -> tuple[list[float], list[float]]:
    """Time the suite serially and under `-n 2`, ABBA order, after one untimed warm-up."""
    # the warm-up pays what only a first run pays: bytecode compilation, a cold page cache
    timed_suite(paths, WORKERS)
    times: dict[int, list[float]] = {0: [], WORKERS: []}
    for workers in alternated(rounds):  # a load that rises or falls hits both sides alike
        times[workers].append(timed_suite(paths, workers))
    return times[0], times[WORKERS]


def spread(times: list[float]) -> float:
    """Return max / min of the rounds: 1.0 is steady, above NOISY the machine's load moved."""
    return max(times) / min(times)


def too_noisy(serial: list[float], parallel: list[float]) -> bool:
    """Say whether either side's rounds spread more than NOISY: then no ratio means anything."""
    return max(spread(serial), spread(parallel)) > NOISY


def speedup_figure(serial: list[float], parallel: list[float]) -> dict:
    """Return the figure: medians of both, and the speed-up serial / parallel (above 1: faster)."""

    def span(times: list[float]) -> str:
        return f"{min(times):.1f}-{max(times):.1f} s"

    noisy = (
        "; TOO NOISY to compare, rerun on a quiet machine" if too_noisy(serial, parallel) else ""
    )
    return {
        "name": "the testing lesson's suite without tool and Locust tests: speed-up of two "
        f"xdist workers (serial time / -n 2 time, above 1 is faster; median of {len(serial)} "
        f"rounds, serial {span(serial)}, -n 2 {span(parallel)}{noisy})",
        "baseline_label": "serial",
        "baseline": round(median(serial), 1),
        "measured_label": "-n 2",
        "measured": round(median(parallel), 1),
        "unit": "s wall",
        "ratio": round(median(serial) / median(parallel), 2),
    }


def benchmark(settings, paths: tuple[str, ...] = SUITE, rounds: int = 4) -> list[dict]:
    """The figures for `make bench`: the speed-up of `-n 2` over serial, medians of `rounds`."""
    return [speedup_figure(*suite_times(paths, rounds))]


def flaky_passes(runs: int, *, pause: bool) -> int:
    """Run part 6's flaky check `runs` times with no gate; return how many times it passed."""
    passed = 0
    for _ in range(runs):
        sender = ReceiptSender()
        sender.send_later("ORD-1")
        if pause:
            time.sleep(0)  # what any I/O does (a query, a log line): lets the worker run first
        passed += sender.sent == ["ORD-1"]
        sender.close()
    return passed


def main() -> None:
    require_services(get_settings(), "postgres", "redis")  # the suite needs both
    print(f"1. The lesson's suite with branch coverage, threshold {COVERAGE_THRESHOLD}%:")
    gate = coverage_gate()
    print(f"   {gate.count('passed')} passed, total coverage {total_percent(gate)}%,")
    print(f"   exit code {gate.returncode} ({'passes' if gate.returncode == 0 else 'fails'})")
    print("2. The order-dependent pair under pytest-randomly, seeds 1 to 6:")
    failed = failing_seeds(range(1, 7))
    print(f"   the seeds whose order fails: {failed} (-p randomly --randomly-seed=N repeats one)")
    print("3. The suite without tool and Locust tests, serial vs -n 2 (warm-up, 4 rounds, ABBA):")
    serial, parallel = suite_times(SUITE, rounds=4)
    figure = speedup_figure(serial, parallel)
    print(f"   serial {[round(t, 1) for t in serial]} s, -n 2 {[round(t, 1) for t in parallel]} s")
    print(f"   medians {figure['baseline']} s and {figure['measured']} s", end=": ")
    if too_noisy(serial, parallel):
        worst = max(spread(serial), spread(parallel))
        print(f"too noisy to compare (rounds differ {worst:.1f}x): rerun on a quiet machine")
    else:
        print(f"-n 2 is {figure['ratio']}x as fast as serial (above 1 is faster, below 1 slower)")
    print("4. The flaky receipt check, no gate, 1000 runs each:")
    print(f"   assert right after send_later: passed {flaky_passes(1000, pause=False)} of 1000")
    print(f"   with any I/O before the assert: passed {flaky_passes(1000, pause=True)} of 1000")
    print("Conclusion: each gate is a command with an exit code, so CI can refuse a change.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
