"""Checks for ex07: `.venv/bin/course check 01 ex07` runs them against your task."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sql_models import create_schema
from sql_statements import recorded_statements
from sqlalchemy import event, text

from course.exercises import load_exercise

task = load_exercise(__file__)
START = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def orders(engine):
    create_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO customers (email, name) VALUES ('a@b.c', 'A')"))
        # 95 orders, most in groups of four that share one placed_at (ties need the id), in
        # an order unrelated to their ids (m = n * 37 mod 95 visits 0-94 once each): a cursor
        # that compares the id alone, or each column on its own, skips or repeats rows
        connection.execute(
            text(
                "INSERT INTO orders (customer_id, placed_at)"
                " SELECT 1, :start + (m / 5 * 5 + (m % 5 > 0)::int) * interval '1 minute'"
                " FROM (SELECT n * 37 % 95 AS m FROM generate_series(0, 94) AS n) AS shuffled"
            ),
            {"start": START},
        )
        # and a back-dated order, entered last: an old placed_at with the highest id
        connection.execute(
            text("INSERT INTO orders (customer_id, placed_at) VALUES (1, :old)"),
            {"old": START + timedelta(minutes=10)},
        )
    return engine


def all_orders_newest_first(engine):
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                text("SELECT placed_at, id FROM orders ORDER BY placed_at DESC, id DESC")
            )
        ]


def walk(engine, size, rows):
    """Follow the pages to the end; fail, not hang, if they never end."""
    seen, cursor = [], None
    for _ in range(rows // size + 2):  # every page, and the empty one after the last
        page = list(task.next_page(engine, after=cursor, size=size))
        if not page:
            return seen
        seen += [tuple(row) for row in page]
        cursor = seen[-1]
    pytest.fail(
        f"{rows} orders in pages of {size} did not end within {rows // size + 2} pages, so pages "
        "repeat rows: either the filter keeps the cursor's own row (<= instead of <), or the "
        "ORDER BY is not the cursor's whole key (placed_at DESC, id DESC), so orders placed at "
        "the same moment come back in an order the cursor does not follow"
    )


def test_walking_the_pages_visits_every_order_once_newest_first(orders):
    expected = all_orders_newest_first(orders)
    for size in (3, 7, 40):  # pages that end inside a tie group; one table for the three walks
        assert walk(orders, size, len(expected)) == expected, (
            f"pages of {size}: expected every order exactly once, newest first (ties broken by "
            "id, highest first)"
        )


def test_an_order_placed_between_two_pages_does_not_repeat_a_row(orders):
    first = [tuple(row) for row in task.next_page(orders, after=None, size=10)]
    with orders.begin() as connection:
        connection.execute(
            text("INSERT INTO orders (customer_id, placed_at) VALUES (1, :later)"),
            {"later": START + timedelta(days=1)},
        )

    second = [tuple(row) for row in task.next_page(orders, after=first[-1], size=10)]

    assert set(first).isdisjoint(second), "page 2 repeated a row of page 1"
    assert second == all_orders_newest_first(orders)[11:21], (
        "page 2 must be the 10 orders after page 1's last, in (placed_at DESC, id DESC) order: "
        "order by the whole key, so orders placed at the same moment keep one order"
    )


def test_the_next_page_starts_after_the_cursor_even_once_its_order_is_deleted(orders):
    # a keyset cursor is a pair of values to seek past, not a row to find: a page that looks
    # up the cursor's row (its position, its row_number()) has nothing to start from now
    first = [tuple(row) for row in task.next_page(orders, after=None, size=10)]
    with orders.begin() as connection:
        connection.execute(text("DELETE FROM orders WHERE id = :id"), {"id": first[-1][1]})

    second = [tuple(row) for row in task.next_page(orders, after=first[-1], size=10)]

    assert second == all_orders_newest_first(orders)[9:19], (
        "after the cursor's order was deleted, page 2 must still be the 10 orders that come "
        "after the cursor's (placed_at, id) in (placed_at DESC, id DESC) order: compare with "
        "its values (do not look up its row), and order by the whole key"
    )


@contextmanager
def rows_fetched(engine):
    """Yield a list that fills, as the block ends, with the rows each statement fetched."""
    executed = []  # (cursor, its rowcount right after execute: a closed cursor resets it)

    def keep(connection, cursor, statement, parameters, context, executemany):
        executed.append((cursor, cursor.rowcount))

    event.listen(engine, "after_cursor_execute", keep)
    counts: list[int] = []
    try:
        yield counts
    finally:
        event.remove(engine, "after_cursor_execute", keep)
        # a server-side cursor (stream_results) counts, in rownumber, the rows it has read
        counts += [max(count, cursor.rownumber or 0) for cursor, count in executed]


def test_each_page_is_one_select_without_offset_that_seeks_in_the_database(orders):
    with recorded_statements(orders) as statements, rows_fetched(orders) as fetched:
        task.next_page(orders, after=None, size=10)
        # a cursor comes back from the client (an API's ?after=): values that match no order
        task.next_page(orders, after=(START + timedelta(minutes=50, seconds=7), 7777), size=10)

    assert len(statements) == 2, f"expected one SELECT per page, got {len(statements)}"
    assert not any("OFFSET" in statement.upper() for statement in statements), (
        "a keyset page seeks from the cursor: no OFFSET"
    )
    # the outcome that makes a page cost O(size): the WHERE and the LIMIT run in the database,
    # so only the page's rows travel (one more is fine, to peek whether a next page exists)
    typed = [value for value in ("7777", (START + timedelta(minutes=50)).strftime("%Y-%m-%d"))
             if value in statements[1]]  # fmt: skip
    assert not typed, f"the cursor's {typed} in the SQL text: pass it as bound parameters"
    assert all(count <= 11 for count in fetched), (
        f"the pages fetched {fetched} rows for pages of 10: seek with WHERE (placed_at, id) < "
        "the cursor and LIMIT in the SELECT, not in Python"
    )
