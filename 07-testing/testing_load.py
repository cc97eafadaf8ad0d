"""A load test of the order API with Locust, headless and bounded in time.

Running it starts the API (uvicorn, on a fresh database and a free port), runs the Locust
scenario `OrderCustomer` for a few seconds, and prints requests per second, the median and
95th-percentile latency and the failures, then the verdict of the error threshold. A second,
short run of `LostCustomer` (every request a 404) shows the threshold failing the run.
"""

from __future__ import annotations

import csv
import logging
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from orders_live_server import live_server
from testing_isolation import fresh_database
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


def run_locust(
    base_url: str, *, user: str = "OrderCustomer", users: int = 10, seconds: int = 5
) -> LoadResult:
    """Run Locust headless against base_url for `seconds`; return its aggregated figures."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "run"
        command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), user, "--headless"]
        command += ["--host", base_url, "-u", str(users), "-r", str(users), "-t", f"{seconds}s"]
        command += ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
        # --stop-timeout bounds the wait for running tasks; timeout= bounds the whole run
        command += ["--stop-timeout", "2"]
        done = subprocess.run(
            command, env=child_env(), capture_output=True, text=True, timeout=seconds + 60
        )
        with Path(f"{prefix}_stats.csv").open(newline="") as stats:
            rows = list(csv.DictReader(stats))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return LoadResult(
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        requests_per_second=float(total["Requests/s"]),
        median_ms=float(total["Median Response Time"]),
        p95_ms=float(total["95%"]),
        exit_code=done.returncode,
    )


def describe(result: LoadResult) -> str:
    """Return one line with the run's figures."""
    return (
        f"{result.requests} requests, {result.requests_per_second:.0f} per second, "
        f"median {result.median_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, "
        f"{result.failures} failed -> exit code {result.exit_code}"
    )


def main() -> None:
    settings = get_settings()
    with fresh_database(settings.database_url, prefix="orders_load") as engine:
        url = engine.url.render_as_string(hide_password=False)
        with live_server(url) as base_url:
            print(f"The order API runs at {base_url} (one uvicorn process, a fresh database).")
            print("1. OrderCustomer, 10 users for 10 seconds (threshold: at most 1% failed):")
            print("  ", describe(run_locust(base_url, users=10, seconds=10)))
            print("2. LostCustomer (every request a 404), 2 users for 2 seconds:")
            print("  ", describe(run_locust(base_url, user="LostCustomer", users=2, seconds=2)))
    print("Exit code 0 passes the run, 1 fails it: a CI job can gate on it.")


if __name__ == "__main__":
    main()
