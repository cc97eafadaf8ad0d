"""A load test of the order API with Locust, headless and bounded in time.

Running it starts the API (uvicorn, on a fresh database and a free port), runs the Locust
scenario `OrderCustomer` for a few seconds, and prints requests per second, the median and
95th-percentile latency and the failures, then the verdict of the error threshold. Two short
runs of `LostCustomer` (one request in four a 404) show the threshold deciding: the same kind
of run passes under a 30 percent threshold and fails under the default 1 percent.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from orders_live_server import live_server
from testing_isolation import fresh_database, require_services
from testing_pytest_runs import LESSON_DIR, child_env

from course import get_settings

logger = logging.getLogger(__name__)
LOCUSTFILE = LESSON_DIR / "orders_locustfile.py"


@dataclass(frozen=True)
class LoadResult:
    """What one Locust run measured, over all its requests, and its exit code."""

    requests: int
    failures: int
    requests_per_second: float
    median_ms: float
    p95_ms: float
    exit_code: int


def percentile(histogram: dict[float, int], share: float) -> float:
    """Return the response time under which `share` of the requests fell (0.95: the p95)."""
    total, seen = sum(histogram.values()), 0
    for milliseconds in sorted(histogram):
        seen += histogram[milliseconds]
        if seen >= share * total:
            return milliseconds
    return 0.0


def summarise(entries: list[dict], exit_code: int) -> LoadResult:
    """Return the figures over every endpoint of Locust's JSON report."""
    histogram: Counter[float] = Counter()
    for entry in entries:
        histogram.update({float(ms): n for ms, n in entry["response_times"].items()})
    requests = sum(entry["num_requests"] for entry in entries)
    started = min((entry["start_time"] for entry in entries), default=0.0)
    ended = max((entry["last_request_timestamp"] or 0 for entry in entries), default=0.0)
    return LoadResult(
        requests=requests,
        failures=sum(entry["num_failures"] for entry in entries),
        requests_per_second=requests / (ended - started) if ended > started else 0.0,
        median_ms=percentile(histogram, 0.5),
        p95_ms=percentile(histogram, 0.95),
        exit_code=exit_code,
    )


def run_locust(
    base_url: str,
    *,
    user: str = "OrderCustomer",
    users: int = 10,
    seconds: int = 5,
    max_fail_ratio: float = 0.01,
) -> LoadResult:
    """Run Locust headless against base_url for `seconds`; return its aggregated figures."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "stats.json"
        command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), user, "--headless"]
        command += ["--host", base_url, "-u", str(users), "-r", str(users), "-t", f"{seconds}s"]
        # the JSON file is written once, at the end (the CSV files are written periodically)
        command += ["--json-file", str(report.with_suffix("")), "--only-summary"]
        # --stop-timeout bounds the wait for running tasks; timeout= bounds the whole run
        command += ["--loglevel", "WARNING", "--stop-timeout", "2"]
        command += ["--max-fail-ratio", str(max_fail_ratio)]
        done = subprocess.run(
            command, env=child_env(), capture_output=True, text=True, timeout=seconds + 60
        )
        if not report.exists():
            raise RuntimeError(
                f"Locust wrote no report (exit code {done.returncode}): "
                f"{done.stderr.strip().splitlines()[-1:]}"
            )
        return summarise(json.loads(report.read_text()), done.returncode)


def describe(result: LoadResult) -> str:
    """Return one line with the run's figures."""
    return (
        f"{result.requests} requests, {result.requests_per_second:.0f} per second, "
        f"median {result.median_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, "
        f"{result.failures} failed -> exit code {result.exit_code}"
    )


def main() -> None:
    settings = require_services(get_settings(), "postgres")
    with fresh_database(settings.database_url, prefix="orders_load") as engine:
        url = engine.url.render_as_string(hide_password=False)
        with live_server(url) as base_url:
            print(f"The order API runs at {base_url} (one uvicorn process, a fresh database).")
            print("1. OrderCustomer, 10 users for 10 seconds (threshold: at most 1% failed):")
            print("  ", describe(run_locust(base_url, users=10, seconds=10)))
            for step, allowed in enumerate((0.3, 0.01), start=2):
                print(f"{step}. LostCustomer (one request in four a 404), threshold {allowed:.0%}:")
                lost = run_locust(
                    base_url, user="LostCustomer", users=2, seconds=2, max_fail_ratio=allowed
                )
                print(f"   {describe(lost)} ({lost.failures / max(lost.requests, 1):.1%} failed)")
    print("Exit code 0 passes the run, 1 fails it: a CI job can gate on it.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
