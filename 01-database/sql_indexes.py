"""EXPLAIN ANALYZE before and after an index: a Seq Scan of 200,000 orders becomes an Index Scan.

Run `python 01-database/sql_indexes.py`. It loads 200,000 orders for 2,000 customers, then
asks "customer 42's ten latest orders" twice: without an index on (customer_id, placed_at),
PostgreSQL reads every row of the table (Seq Scan) and sorts; with it (the index migration
0003 adds), it walks ten entries of the index (Index Scan Backward). Both plans are printed
with the server's own execution times, and the speed-up as a ratio.
"""

from __future__ import annotations

import statistics

from sql_models import Order, create_schema, make_engine
from sqlalchemy import Engine, text

import course
from course.sandbox import temporary_postgres_database

FULL_SIZE = 200_000
LATEST_ORDERS = text(
    "SELECT id, placed_at, total_cents FROM orders"
    " WHERE customer_id = :customer_id ORDER BY placed_at DESC LIMIT 10"
)
ORDERS_INDEX = next(iter(Order.__table__.indexes))  # ix_orders_customer_id_placed_at


def load_orders(engine: Engine, *, orders: int, orders_per_customer: int = 100) -> None:
    """Create the schema without the orders index, and fill it with generated orders."""
    create_schema(engine)
    customers = max(1, orders // orders_per_customer)
    with engine.begin() as connection:
        ORDERS_INDEX.drop(connection)
        connection.execute(
            text(
                "INSERT INTO customers (email, name)"
                " SELECT 'customer' || n || '@example.com', 'Customer ' || n"
                " FROM generate_series(1, :customers) AS n"
            ),
            {"customers": customers},
        )
        # each customer's orders are spread over the table, as they arrive in real life
        connection.execute(
            text(
                "INSERT INTO orders (customer_id, placed_at, total_cents)"
                " SELECT 1 + n % :customers, now() - n * interval '1 minute', n % 50000"
                " FROM generate_series(1, :orders) AS n"
            ),
            {"customers": customers, "orders": orders},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE orders"))  # fresh statistics for the planner


def explain_analyze(engine: Engine, *, customer_id: int) -> dict:
    """Run the query under EXPLAIN ANALYZE; return the plan's node types and the time in ms."""
    with engine.connect() as connection:
        (plan,) = connection.execute(
            text(f"EXPLAIN (ANALYZE, FORMAT JSON) {LATEST_ORDERS.text}"),
            {"customer_id": customer_id},
        ).scalar()
    nodes, pending = [], [plan["Plan"]]
    while pending:
        node = pending.pop(0)
        nodes.append(
            node["Node Type"] + (" Backward" if node.get("Scan Direction") == "Backward" else "")
        )
        pending.extend(node.get("Plans", []))
    return {"nodes": nodes, "ms": plan["Execution Time"]}


def median_ms(engine: Engine, *, customer_id: int, runs: int = 5) -> float:
    """Return the median execution time over several runs (the first warms the cache)."""
    return statistics.median(
        explain_analyze(engine, customer_id=customer_id)["ms"] for _ in range(runs)
    )


def plan_and_median(engine: Engine, *, customer_id: int) -> dict:
    """Return the query's plan nodes and its median execution time."""
    plan = explain_analyze(engine, customer_id=customer_id)
    return plan | {"median_ms": median_ms(engine, customer_id=customer_id)}


def create_orders_index(engine: Engine) -> None:
    """Build the (customer_id, placed_at) index and refresh the statistics."""
    with engine.begin() as connection:
        ORDERS_INDEX.create(connection)
        connection.execute(text("ANALYZE orders"))


def measure_index_speedup(
    engine: Engine, *, orders: int = FULL_SIZE, customer_id: int = 42
) -> dict:
    """Load the orders, and return the plan and median time before and after the index."""
    load_orders(engine, orders=orders)
    before = plan_and_median(engine, customer_id=customer_id)
    create_orders_index(engine)
    after = plan_and_median(engine, customer_id=customer_id)
    return {
        "orders": orders,
        "before": before,
        "after": after,
        "ratio": before["median_ms"] / after["median_ms"],
    }


def benchmark(settings: course.Settings) -> list[dict]:
    """The figures for `make bench`: the query's time without and with the index."""
    with temporary_postgres_database(settings, prefix="bench_indexes") as url:
        engine = make_engine(url)
        result = measure_index_speedup(engine)
        engine.dispose()
    before, after = result["before"]["median_ms"], result["after"]["median_ms"]
    return [
        {
            "name": f"a customer's 10 latest orders among {result['orders']:,}",
            "baseline_label": "Seq Scan (no index)",
            "baseline": round(before, 3),
            "measured_label": "Index Scan",
            "measured": round(after, 3),
            "unit": "ms",
            "ratio": round(result["ratio"], 1),
        }
    ]


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_indexes") as url:
        engine = make_engine(url)
        print(f"1. Loading {FULL_SIZE:,} orders for {FULL_SIZE // 100:,} customers ...")
        result = measure_index_speedup(engine)
        engine.dispose()
    print(f"2. {LATEST_ORDERS.text}")
    for label, side in (("without the index", "before"), ("with the index", "after")):
        plan = result[side]
        print(f"   {label:<18} plan {' -> '.join(plan['nodes'])}: {plan['median_ms']:.3f} ms")
    print(f"Conclusion: the index makes this query {result['ratio']:,.0f}x faster; it costs disk")
    print("space and a little time on every INSERT, so index what your queries filter and sort by.")


if __name__ == "__main__":
    main()
