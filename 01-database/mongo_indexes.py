"""Indexes in MongoDB: a unique index, a compound index, and explain() before and after.

Run `python 01-database/mongo_indexes.py`. You will see a unique index on `customers.email`
turn a second sign-up with the same email into a DuplicateKeyError, and explain() show the
query "a customer's orders, newest first" change from COLLSCAN (read every document) to
IXSCAN (walk the compound index), with the time of both measured in the same run.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from db_timing import median_ms
from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

logger = logging.getLogger(__name__)


class EmailAlreadyRegistered(ValueError):
    """A customer with this email exists already."""


def create_customer_email_index(db: Database) -> str:
    """Make `email` unique across customers; return the index name."""
    return db.customers.create_index([("email", ASCENDING)], unique=True)


def create_orders_by_customer_index(db: Database) -> str:
    """Index orders by customer, newest first: the shape of "my orders" queries."""
    return db.orders.create_index([("customer_id", ASCENDING), ("placed_at", DESCENDING)])


def register_customer(db: Database, *, name: str, email: str) -> Any:
    """Insert a customer; raise EmailAlreadyRegistered if the unique index refuses it."""
    try:
        return db.customers.insert_one({"name": name, "email": email}).inserted_id
    except DuplicateKeyError as error:
        # the index, not a find-then-insert check, is what makes this safe under concurrency
        raise EmailAlreadyRegistered(email) from error


def recent_orders_query(customer_id: Any) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """Return the filter and sort of "a customer's orders, newest first"."""
    return {"customer_id": customer_id}, [("placed_at", DESCENDING)]


def plan_stages(
    collection: Collection, filter_: dict, sort: list, *, hint: str | None = None
) -> list[str]:
    """Return the stages of the winning plan, outermost first (e.g. ['FETCH', 'IXSCAN'])."""
    cursor = collection.find(filter_).sort(sort)
    plan = (cursor.hint(hint) if hint else cursor).explain()["queryPlanner"]["winningPlan"]
    plan = plan.get("queryPlan", plan)  # the slot-based engine nests the plan one level down
    stages = []
    while plan:
        stages.append(plan["stage"])
        plan = plan.get("inputStage")
    return stages


def insert_sample_orders(db: Database, *, customers: int, orders_per_customer: int) -> None:
    """Insert customers × orders_per_customer small orders (customer_id is 0..customers-1)."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    db.orders.insert_many(
        {"customer_id": c, "placed_at": start + timedelta(hours=n), "total_cents": 100 * n}
        for c in range(customers)
        for n in range(orders_per_customer)
    )


TIMED_RUNS = 9  # the same for both sides, after the same warm-up, so the medians compare
WARM_UP_RUNS = 3  # untimed runs of the query before each side's timed ones


def measure_index_speedup(db: Database, *, customers: int = 500, per_customer: int = 10) -> dict:
    """Time "a customer's orders" without and with the compound index, on the same data."""
    insert_sample_orders(db, customers=customers, orders_per_customer=per_customer)
    filter_, sort = recent_orders_query(customers - 1)
    query = lambda: list(db.orders.find(filter_).sort(sort))  # noqa: E731
    # each side's plan is read right after its timed runs, so it is the plan they ran
    without_index = median_ms(query, repeat=TIMED_RUNS, warm_up=WARM_UP_RUNS)
    before = plan_stages(db.orders, filter_, sort)
    create_orders_by_customer_index(db)
    with_index = median_ms(query, repeat=TIMED_RUNS, warm_up=WARM_UP_RUNS)
    after = plan_stages(db.orders, filter_, sort)
    return {"before": before, "after": after, "without_ms": without_index, "with_ms": with_index,
            "customers": customers, "orders": customers * per_customer}  # fmt: skip


def benchmark_index(settings) -> list[dict[str, Any]]:
    """Return the "orders of a customer" figures without and with the compound index."""
    from mongo_documents import make_mongo_client

    from course.sandbox import temporary_mongo_database
    from course.services.probes import probe_mongo

    with (
        make_mongo_client(settings.mongo_url) as client,
        temporary_mongo_database(client, prefix="mongo_indexes_bench") as db,
    ):
        figures = measure_index_speedup(db)
        # name the server that produced the figure: an emulator's speed is not MongoDB's
        server = probe_mongo(settings).split(",")[0]
    return [
        {
            "name": f"{server}: one customer's orders, newest first, among"
            f" {figures['orders']:,} orders of {figures['customers']:,} customers,"
            f" median of {TIMED_RUNS} after {WARM_UP_RUNS} warm-ups",
            "baseline_label": "no index (COLLSCAN)",
            "baseline": round(figures["without_ms"], 3),
            "measured_label": "compound index (IXSCAN)",
            "measured": round(figures["with_ms"], 3),
            "unit": "ms",
            "ratio": round(figures["without_ms"] / figures["with_ms"], 1),
        }
    ]


def main() -> None:
    from mongo_documents import make_mongo_client

    import course
    from course.sandbox import temporary_mongo_database

    settings = course.require("mongo")
    logging.basicConfig(level=logging.WARNING)
    with (
        make_mongo_client(settings.mongo_url) as client,
        temporary_mongo_database(client, prefix="mongo_indexes") as db,
    ):
        print("1. A unique index on customers.email")
        print(f"   created {create_customer_email_index(db)}")
        register_customer(db, name="Ada", email="ada@example.com")
        try:
            register_customer(db, name="Impostor", email="ada@example.com")
        except EmailAlreadyRegistered as error:
            print(f"   second sign-up refused: DuplicateKeyError -> {error!r}")
        print("2. explain() of 'orders of customer 499, newest first' over 5,000 orders")
        figures = measure_index_speedup(db)
        print(
            f"   without an index: {' <- '.join(figures['before'])}, "
            f"median {figures['without_ms']:.2f} ms"
        )
        print(
            f"   with (customer_id, placed_at -1): {' <- '.join(figures['after'])}, "
            f"median {figures['with_ms']:.2f} ms"
        )
        ratio = figures["without_ms"] / figures["with_ms"]
        if "SORT" in figures["after"]:
            print(
                "   (real MongoDB plans FETCH <- IXSCAN with no SORT: the index already gives the"
                " order; embedded SecantusDB still sorts, see docs/mongodb-fidelity.md)"
            )
            print(
                f"Conclusion: the compound index serves the filter (IXSCAN, not COLLSCAN),"
                f" {ratio:.0f}x faster here, most of it SecantusDB's slow scan (the plans carry"
                " over to MongoDB, the ratio does not); on real MongoDB (Docker mode) it serves"
                " the sort too. Index the queries your application really runs."
            )
            return
        print(
            f"Conclusion: the compound index serves the filter AND the sort; {ratio:.0f}x faster"
            " here. Index the queries your application really runs."
        )


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
