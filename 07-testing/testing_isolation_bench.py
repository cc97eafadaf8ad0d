"""Measured: the per-test cost of a rolled-back transaction, a fresh database, create_all/drop_all.

Running it times the same small "test" (place three orders, commit, read them back) under
each isolation strategy, the order rotated every round, and prints the median per test and the
ratios to the rolled-back transaction. The three give the test the same clean slate; only the
cost differs. `make bench` collects the same figures.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from orders_domain import Line
from orders_repository import SqlOrderRepository
from orders_service import place_order
from orders_tables import Base
from sqlalchemy.orm import Session
from testing_isolation import (
    fresh_database,
    recreated_tables,
    require_services,
    rolled_back_session,
)


def small_test(session: Session) -> None:
    """The body every strategy runs: what a typical integration test does."""
    repository = SqlOrderRepository(session)
    for number in range(3):
        place_order(
            repository, reference=f"ORD-{number}", customer="ada", lines=[Line("tea", 2, 450)]
        )
    assert len(repository.list_for_customer("ada")) == 3  # nosec B101  # the benchmark's self-check


def fresh_database_test(admin_url: str) -> None:
    """Run the small test in a database of its own."""
    with fresh_database(admin_url, prefix="bench") as engine, Session(engine) as session:
        small_test(session)


def median_seconds_per_test(
    strategies: dict[str, Callable[[], None]], rounds: int
) -> dict[str, float]:
    """Each strategy's median seconds per test, the order rotated every round."""
    times: dict[str, list[float]] = {name: [] for name in strategies}
    names = list(strategies)
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            strategies[name]()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def run_in(context: AbstractContextManager[Session]) -> None:
    """Run the small test in the session a strategy's context manager yields."""
    with context as session:
        small_test(session)


def measure(admin_url: str, rounds: int = 15) -> dict[str, float]:
    """Time the three strategies in one run, on one server."""
    with (
        fresh_database(admin_url, prefix="bench") as schema_engine,
        fresh_database(admin_url, prefix="bench") as empty_engine,
    ):
        Base.metadata.drop_all(empty_engine)  # recreated_tables makes and drops its own
        strategies: dict[str, Callable[[], None]] = {
            "rolled-back transaction": lambda: run_in(rolled_back_session(schema_engine)),
            "fresh database": lambda: fresh_database_test(admin_url),
            "create_all/drop_all": lambda: run_in(recreated_tables(empty_engine)),
        }
        return median_seconds_per_test(strategies, rounds)


def figures(seconds: dict[str, float]) -> list[dict]:
    """The measurements as `make bench` figures, each against the rolled-back transaction."""
    baseline = seconds["rolled-back transaction"]
    return [
        {
            "name": f"per-test isolation: {name}, vs a rolled-back transaction",
            "baseline_label": "rolled-back transaction",
            "baseline": round(baseline * 1000, 2),
            "measured_label": name,
            "measured": round(value * 1000, 2),
            "unit": "ms per test",
            "ratio": round(value / baseline, 1),
        }
        for name, value in seconds.items()
        if name != "rolled-back transaction"
    ]


def benchmark(settings, rounds: int = 15) -> list[dict]:
    """The figures for `make bench`."""
    return figures(measure(settings.database_url, rounds))


def main() -> None:
    from course.settings import get_settings

    settings = require_services(get_settings(), "postgres")
    print("1. The same small test (3 orders placed, committed, read back) under each strategy,")
    print("   5 rounds, the order rotated; the median per test (`make bench`: 15 rounds):")
    found = benchmark(settings, rounds=5)
    print(f"   rolled-back transaction: {found[0]['baseline']:,} ms per test")
    for figure in found:
        print(
            f"   {figure['measured_label']}: {figure['measured']:,} ms per test "
            f"({figure['ratio']}x the rolled-back transaction)"
        )
    print("Conclusion: a transaction rolled back per test gives the same clean slate as a new")
    print("database for a fraction of the cost; keep the fresh database for what a transaction")
    print("cannot hold (code that opens its own connections, DDL, LISTEN/NOTIFY).")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
