"""Keyset pagination returns the same pages as OFFSET, without OFFSET's repeated rows."""

import pytest
from sql_pagination import (
    cursor_at,
    load_orders,
    measure_deep_page,
    page_after,
    page_by_offset,
    place_newest_order,
)
from sqlalchemy import event, text

ORDERS = 2_000


@pytest.fixture
def orders(engine):
    load_orders(engine, orders=ORDERS)
    return engine


def walk(engine, *, size: int, rows: int) -> list[int]:
    """Follow the keyset pages to the end; fail, not hang, if they never end."""
    seen, cursor = [], None
    for _ in range(rows // size + 2):  # every page, and the empty one after the last
        ids, cursor = page_after(engine, cursor, size=size)
        if not ids:
            return seen
        seen += ids
    pytest.fail(f"{rows} rows in pages of {size} never ended: does a page repeat its cursor?")


def test_walking_every_keyset_page_visits_each_order_once_newest_first(orders):
    seen = walk(orders, size=300, rows=ORDERS)

    assert len(seen) == ORDERS and len(set(seen)) == ORDERS
    assert seen == page_by_offset(orders, offset=0, size=ORDERS)


def test_a_keyset_page_equals_the_offset_page_it_replaces(orders):
    assert page_after(orders, cursor_at(orders, offset=1_500))[0] == page_by_offset(
        orders, offset=1_500
    )


def test_an_insert_between_pages_makes_offset_repeat_a_row_but_not_keyset(orders):
    page_one, cursor = page_after(orders, None)
    place_newest_order(orders)

    by_offset = page_by_offset(orders, offset=len(page_one))
    by_keyset, _ = page_after(orders, cursor)

    assert len(set(page_one) & set(by_offset)) == 1  # the last row of page 1, shifted down
    assert set(page_one).isdisjoint(by_keyset)


def plan_of_what_is_sent(engine, call) -> tuple[str, dict]:
    """Run `call`, which must send one statement; EXPLAIN ANALYZE that very statement."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(sent) == 1, f"expected one statement, got {[s for s, _ in sent]}"
    statement, parameters = sent[0]
    with engine.connect() as connection:
        explained = f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}"
        plan = connection.exec_driver_sql(explained, parameters).scalar()[0]["Plan"]
    return statement, plan


def rows_read_at_the_bottom(plan: dict) -> tuple[str, float]:
    """The node that reads the table (the plan's deepest), and the rows it produced."""
    while plan.get("Plans"):
        plan = plan["Plans"][0]
    return plan["Node Type"], plan["Actual Rows"]


def test_a_deep_keyset_page_reads_a_page_worth_of_rows_where_offset_reads_them_all(orders):
    # a count, not a timing: the rows the scan under each plan produced, from EXPLAIN ANALYZE
    # of the statement each function really sends (a Sort above a full scan also yields 20)
    cursor = cursor_at(orders, offset=1_500)

    keyset_sql, keyset_plan = plan_of_what_is_sent(orders, lambda: page_after(orders, cursor))
    _, offset_plan = plan_of_what_is_sent(orders, lambda: page_by_offset(orders, offset=1_500))

    assert "OFFSET" not in keyset_sql.upper()
    node, read = rows_read_at_the_bottom(keyset_plan)
    assert node.startswith("Index") and read <= 21, f"{node} read {read} rows for a page of 20"
    assert rows_read_at_the_bottom(offset_plan)[1] >= 1_520  # produced, then 1,500 thrown away


def test_a_keyset_page_inside_a_run_of_ties_seeks_to_its_cursor(orders):
    # the index on (placed_at, id) finds the cursor inside 1,000 orders placed at one moment;
    # on placed_at alone, the scan would read, then filter out, every tied row before it
    with orders.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO orders (customer_id, placed_at)"
                " SELECT 1, timestamp '2030-01-01' FROM generate_series(1, 1000)"
            )
        )
        connection.execute(text("ANALYZE orders"))
    cursor = cursor_at(orders, offset=500)

    _, plan = plan_of_what_is_sent(orders, lambda: page_after(orders, cursor))

    node, read = rows_read_at_the_bottom(plan)
    while plan.get("Plans"):
        plan = plan["Plans"][0]
    assert node.startswith("Index") and read + plan.get("Rows Removed by Filter", 0) <= 21


def test_orders_that_share_a_placed_at_are_each_visited_once(orders):
    # ties on the sort column: without the id in the cursor, a page boundary inside a tie
    # would skip (with <) or repeat (with <=) the tied rows
    with orders.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO orders (customer_id, placed_at)"
                " SELECT 1, placed_at FROM orders ORDER BY id LIMIT 300"
            )
        )
    # without the index on (placed_at, id) the server sorts, and a sort keeps no order among
    # ties: only the id in ORDER BY gives one (an Index Scan would return ties in id order anyway)
    orders.dispose()
    event.listen(orders, "connect", no_index_scans)
    seen = walk(orders, size=7, rows=ORDERS + 300)

    assert len(seen) == len(set(seen)) == ORDERS + 300
    assert seen == page_by_offset(orders, offset=0, size=ORDERS + 300)


def no_index_scans(dbapi_connection, connection_record) -> None:
    """Make each new connection plan without index scans, as for a table with no index."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET enable_indexscan = off")
        cursor.execute("SET enable_bitmapscan = off")
        cursor.execute("SET enable_indexonlyscan = off")
    dbapi_connection.commit()


def test_the_measurement_times_offset_pages_against_keyset_pages(orders):
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    deep = cursor_at(orders, offset=1_500)  # the last row before the page both sides fetch
    event.listen(orders, "before_cursor_execute", record)
    try:
        figures = measure_deep_page(orders, offset=1_500)
    finally:
        event.remove(orders, "before_cursor_execute", record)

    keyset = [(s, p) for s, p in sent if "(placed_at, id) <" in s]
    by_offset = [(s, p) for s, p in sent if "LIMIT %(size)s OFFSET" in s]
    # each side timed as often (15 runs after 3 warm-ups), plus the self-check's one of each
    assert len(keyset) == len(by_offset) == 1 + 3 + 15
    assert all("OFFSET" not in s for s, _ in keyset)
    # and every run fetches the same deep page: page 1 by OFFSET against it would be no contest
    assert {p["offset"] for _, p in by_offset} == {1_500}
    assert {(p["placed_at"], p["id"]) for _, p in keyset} == {deep}
    assert set(figures) == {"offset_ms", "keyset_ms"}
