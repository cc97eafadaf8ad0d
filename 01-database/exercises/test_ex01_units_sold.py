"""Checks for ex01: `course check 01 ex01` runs them against your task."""

import pytest
from sql_models import Product, create_schema
from sql_orm import add_sample_shop
from sql_statements import recorded_statements
from sqlalchemy import event
from sqlalchemy.orm import Session

from course.exercises import load_exercise

task = load_exercise(__file__)
# the type OIDs of int2, int4, int8 and numeric: what SUM, COUNT or COALESCE of them return
INTEGER_TYPES = {21, 23, 20, 1700}
MOST_SOLD_FIRST = [
    ("CB-02", 5),
    ("MN-27", 2),
    ("KB-01", 1),
    ("MS-01", 1),
    ("AA-01", 0),
    ("HD-01", 0),
]


@pytest.fixture
def shop(engine):
    create_schema(engine)
    with Session(engine) as session:
        add_sample_shop(session)
        session.add(Product(sku="HD-01", name="Headset", price_cents=4900, stock=3))
        session.flush()
        # added after HD-01 but sorts before it: on this tie, id order and SKU order disagree
        session.add(Product(sku="AA-01", name="Adapter", price_cents=900, stock=7))
        session.commit()
    return engine


def test_every_product_is_listed_with_its_units_most_sold_first(shop):
    with Session(shop) as session:
        units = task.units_sold_by_product(session)

    assert [tuple(pair) for pair in units] == MOST_SOLD_FIRST, (
        "expected every product, with 0 for those never ordered, most sold first, then by SKU"
    )


def test_the_answer_comes_from_a_single_query(shop):
    fetched = []  # rows each SELECT returns, before any Python summing (a decoy "sum(" in the
    # SQL would satisfy a look at its text alone)
    units_types = []  # the PostgreSQL type of the units column: a number, not an array of them

    def count(connection, cursor, *_):
        fetched.append(cursor.rowcount)
        units_types.append(cursor.description[1].type_code if cursor.description else None)

    event.listen(shop, "after_cursor_execute", count)
    try:
        with Session(shop) as session, recorded_statements(shop) as statements:
            task.units_sold_by_product(session)
    finally:
        event.remove(shop, "after_cursor_execute", count)

    assert len(statements) == 1, f"expected 1 SELECT, the function sent {len(statements)}"
    # one SELECT of every order line, summed in Python, ships each line to the application
    assert fetched == [6], (
        f"the database should add up the quantities (SUM ... GROUP BY, one row per product), "
        f"not Python: it sent {fetched} rows for 6 products"
    )
    # one row per product can still carry every line (array_agg) for Python to add up
    assert units_types[0] in INTEGER_TYPES, (
        "the units column should be the sum itself, a number; it came back as PostgreSQL type "
        f"{units_types[0]} (an array_agg of the quantities, added up in Python?)"
    )


def test_the_query_itself_sends_the_rows_in_order(shop):
    # an ORDER BY on the wrong columns, re-sorted in Python, returns the right list: so the
    # statement the function sent is run again here, and its rows must already be in order
    sent = []

    def capture(connection, cursor, statement, parameters, *_):
        sent.append((statement, parameters))

    event.listen(shop, "before_cursor_execute", capture)
    try:
        with Session(shop) as session:
            task.units_sold_by_product(session)
    finally:
        event.remove(shop, "before_cursor_execute", capture)
    assert sent, "expected the function to send a SELECT"
    statement, parameters = sent[-1]
    with shop.connect() as connection:
        rows = [tuple(row) for row in connection.exec_driver_sql(statement, parameters)]

    assert rows == MOST_SOLD_FIRST, (
        "order the rows in the query, .order_by(units, most first, then SKU), not in Python: "
        f"the SELECT sent returns {rows}"
    )


def test_an_empty_shop_has_no_rows(engine):
    create_schema(engine)
    with Session(engine) as session:
        assert list(task.units_sold_by_product(session)) == []
