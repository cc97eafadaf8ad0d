"""EXPLAIN ANALYZE before and after an index: a Seq Scan of 200,000 orders becomes an Index Scan.

Run `python 01-database/sql_indexes.py`. It loads 200,000 orders for 2,000 customers, then
asks "customer 42's ten latest orders" twice: without an index on (customer_id, placed_at),
PostgreSQL reads every row of the table (a Parallel Seq Scan: at this size it splits the scan
across worker processes) and sorts; with it (the index migration 0003 adds), it walks ten
entries of the index (Index Scan Backward). Both plans are printed
with two timings: the round trip as the application sees it (timed in Python: the network,
fetching and planning included on the first eleven runs of each side, which runs them all in
one `engine.connect()` block: psycopg prepares the query on the sixth, PostgreSQL plans the
prepared statement five more times and builds a generic plan on the eleventh, which it may
then reuse; that is the favourable case, since psycopg forgets its prepared statements at
every rollback, and a block closed without a commit is rolled back, so a query an application
runs once per request, in a transaction that ends with a rollback, is planned every time) and
the server's execution time alone (EXPLAIN ANALYZE, which leaves those out, so its ratio is
larger). It runs at two table sizes, because a Seq Scan
grows with the table while an index lookup barely does: the ratio grows with the data.
"""

from __future__ import annotations

import statistics

from db_timing import median_ms
from sql_models import Order, create_schema, make_engine
from sqlalchemy import Connection, Engine, text

import course
from course.sandbox import temporary_postgres_database

FULL_SIZE = 200_000
SIZES = (20_000, FULL_SIZE)
WARM_UP_RUNS, TIMED_RUNS = 3, 15
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
    """Run the query under EXPLAIN ANALYZE; return its plan nodes, time and pages touched."""
    # EXPLAIN ANALYZE really runs the statement: harmless for this SELECT, but wrap an UPDATE
    # or DELETE in BEGIN ... ROLLBACK. BUFFERS counts the 8 kB pages the plan touched.
    with engine.connect() as connection:
        (plan,) = connection.execute(
            text(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {LATEST_ORDERS.text}"),
            {"customer_id": customer_id},
        ).scalar()
    nodes, pending = [], [plan["Plan"]]
    while pending:
        node = pending.pop(0)
        # named as EXPLAIN prints them: "Parallel Seq Scan" (workers share the scan), and
        # "Index Scan Backward"
        parallel = "Parallel " if node.get("Parallel Aware") else ""
        backward = " Backward" if node.get("Scan Direction") == "Backward" else ""
        nodes.append(parallel + node["Node Type"] + backward)
        pending.extend(node.get("Plans", []))
    top = plan["Plan"]
    pages = top["Shared Hit Blocks"] + top["Shared Read Blocks"]
    return {"nodes": nodes, "ms": plan["Execution Time"], "pages": pages}


def run_query(connection: Connection, *, customer_id: int) -> list:
    """Run the query as the application does: send it, plan and run it, fetch every row."""
    return connection.execute(LATEST_ORDERS, {"customer_id": customer_id}).all()


def medians(engine: Engine, *, customer_id: int) -> dict:
    """Return the median client and server times over the same warmed-up number of runs."""
    with engine.connect() as connection:
        # the round trip is timed from Python; its warm-up also warms the buffer cache for the
        # server-side runs below
        client = median_ms(
            lambda: run_query(connection, customer_id=customer_id),
            repeat=TIMED_RUNS,
            warm_up=WARM_UP_RUNS,
        )
    server = [explain_analyze(engine, customer_id=customer_id)["ms"] for _ in range(TIMED_RUNS)]
    return {"client_ms": client, "server_ms": statistics.median(server)}


def plan_and_median(engine: Engine, *, customer_id: int) -> dict:
    """Return the query's plan nodes and its median client and server times."""
    plan = explain_analyze(engine, customer_id=customer_id)
    return plan | medians(engine, customer_id=customer_id)


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
    # the index side needs no fresh connection: closing an engine.connect() block rolls it
    # back, and psycopg forgets its prepared statements (counts included) at every rollback,
    # so on the scan side's pooled connection the index side too prepares the query on its
    # sixth run, and is planned as often
    before = plan_and_median(engine, customer_id=customer_id)
    create_orders_index(engine)
    after = plan_and_median(engine, customer_id=customer_id)
    return {
        "orders": orders,
        "before": before,
        "after": after,
        "client_ratio": before["client_ms"] / after["client_ms"],
        "server_ratio": before["server_ms"] / after["server_ms"],
    }


def benchmark(settings: course.Settings) -> list[dict]:
    """The figures for `make bench`: the query's time without and with the index."""
    from course.services.probes import probe_postgres

    server = probe_postgres(settings)  # name the server that produced the figure
    with temporary_postgres_database(settings, prefix="bench_indexes") as url:
        engine = make_engine(url)
        result = measure_index_speedup(engine)
        engine.dispose()
    before, after, rows = result["before"], result["after"], f"{result['orders']:,}"
    return [
        {
            "name": f"{server}: a customer's 10 latest orders among {rows}, {label}",
            "baseline_label": "Seq Scan (no index)",
            "baseline": round(before[key], 3),
            "measured_label": "Index Scan",
            "measured": round(after[key], 3),
            "unit": "ms",
            "ratio": round(before[key] / after[key], 1),
        }
        for label, key in (
            ("round trip from Python", "client_ms"),
            ("server execution only (EXPLAIN ANALYZE)", "server_ms"),
        )
    ]


def main() -> None:
    settings = course.require("postgres")
    print(f"1. {LATEST_ORDERS.text}")
    for number, size in enumerate(SIZES, start=2):
        with temporary_postgres_database(settings, prefix="sql_indexes") as url:
            engine = make_engine(url)
            result = measure_index_speedup(engine, orders=size)
            engine.dispose()
        print(f"{number}. {size:,} orders for {size // 100:,} customers:")
        for label, side in (("without the index", "before"), ("with the index", "after")):
            plan = result[side]
            print(
                f"   {label:<18} {' -> '.join(plan['nodes']):<51}"
                f" round trip {plan['client_ms']:8.3f} ms, server only {plan['server_ms']:8.3f} ms,"
                f" {plan['pages']:,} pages"
            )
        print(
            f"   the index: {result['client_ratio']:,.0f}x faster as the application sees it"
            f" ({result['server_ratio']:,.0f}x counting the server's execution alone)"
        )
    print("Conclusion: the gain grows with the table, since a Seq Scan reads every row and the")
    print("index only ten entries. An index costs disk space and time on every INSERT: index")
    print("what your queries filter and sort by. Judge it by the round trip your users wait for.")


if __name__ == "__main__":
    course.script_arguments()
    main()
