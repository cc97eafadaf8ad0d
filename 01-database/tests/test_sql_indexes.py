"""An index turns a customer's latest orders from a Seq Scan into an Index Scan."""

import pytest
from sql_indexes import (
    create_orders_index,
    explain_analyze,
    load_orders,
    measure_index_speedup,
    run_query,
)
from sql_models import make_engine
from sqlalchemy import text

SMALL_TABLE = 20_000  # enough rows for the planner to prefer the index; the script uses 200,000
FREE_PARALLELISM = (
    "-c parallel_setup_cost=0 -c parallel_tuple_cost=0 -c min_parallel_table_scan_size=0"
)


@pytest.fixture
def orders(engine):
    load_orders(engine, orders=SMALL_TABLE)
    return engine


def test_without_an_index_the_query_reads_the_whole_table_in_parallel_workers(orders):
    # the planner splits the script's 200,000-row scan across workers; at this test's size it
    # does so only when starting workers costs nothing, so say that for this engine
    parallel = make_engine(orders.url, connect_args={"options": FREE_PARALLELISM})
    try:
        plan = explain_analyze(parallel, customer_id=42)
    finally:
        parallel.dispose()

    assert "Parallel Seq Scan" in plan["nodes"]  # as EXPLAIN itself names it
    assert not any("Index" in node for node in plan["nodes"])


def test_with_the_index_the_query_walks_it_backwards_without_sorting(orders):
    create_orders_index(orders)

    plan = explain_analyze(orders, customer_id=42)

    assert plan["nodes"] == ["Limit", "Index Scan Backward"]


def test_the_index_touches_a_handful_of_pages_where_the_scan_reads_the_table(orders):
    # a count, not a timing: the pages (8 kB blocks) each plan touched, from EXPLAIN BUFFERS
    scanned = explain_analyze(orders, customer_id=42)["pages"]
    create_orders_index(orders)

    walked = explain_analyze(orders, customer_id=42)["pages"]

    with orders.connect() as connection:
        table_pages = connection.scalar(text("SELECT pg_relation_size('orders') / 8192"))
    assert scanned >= table_pages  # every page of the table
    assert walked <= 20  # a few index pages, and the pages holding the ten rows


def test_the_measurement_times_a_scan_first_and_the_index_after(engine):
    # the figure `make bench` prints is a ratio of these two: a count of what each side ran,
    # never a timing
    figures = measure_index_speedup(engine, orders=SMALL_TABLE)

    assert any(node.endswith("Seq Scan") for node in figures["before"]["nodes"])
    assert "Index Scan Backward" in figures["after"]["nodes"]
    # both ratios are before over after: how many times faster the index made the query
    for side in ("client", "server"):
        ratio = figures["before"][f"{side}_ms"] / figures["after"][f"{side}_ms"]
        assert figures[f"{side}_ratio"] == ratio, side


def test_each_side_prepares_the_query_on_its_own_sixth_run(engine, monkeypatch):
    # both sides are planned as often only if the index side, even on the scan side's pooled
    # connection, does not inherit its prepared statement: the blocks in between end in a
    # rollback, at which psycopg forgets them. A count, never a timing
    import sql_indexes

    prepared_runs = text(
        "SELECT generic_plans + custom_plans FROM pg_prepared_statements"
        " WHERE statement LIKE 'SELECT id, placed_at%'"
    )
    seen: list = []

    def run_and_count(connection, *, customer_id):
        rows = run_query(connection, customer_id=customer_id)
        # None until psycopg has prepared the query; then how often the server ran it prepared
        seen.append(connection.scalar(prepared_runs))
        return rows

    monkeypatch.setattr(sql_indexes, "run_query", run_and_count)

    measure_index_speedup(engine, orders=2_000)

    runs = sql_indexes.WARM_UP_RUNS + sql_indexes.TIMED_RUNS
    each_side = [None] * 5 + list(range(1, runs - 5 + 1))  # psycopg's prepare_threshold is 5
    assert seen == each_side + each_side


def test_the_timed_round_trip_fetches_the_rows_as_the_application_does(orders):
    # timing only the execute, without fetching, would leave out what the application waits for
    with orders.connect() as connection:
        rows = run_query(connection, customer_id=42)

    assert len(rows) == 10
