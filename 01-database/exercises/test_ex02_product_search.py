"""Checks for ex02: `course check 01 ex02` runs them against your task."""

import re

import pytest
from sql_models import Product, create_schema
from sql_orm import add_sample_shop
from sql_statements import recorded_statements
from sqlalchemy import event
from sqlalchemy.orm import Session

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.fixture
def session(engine):
    create_schema(engine)
    with Session(engine) as session:
        add_sample_shop(session)
        session.add(Product(sku="TS-01", name="Tee, 100% cotton", price_cents=1900, stock=8))
        session.add(Product(sku="AD-01", name="Plug_adapter", price_cents=1200, stock=0))
        # a backslash: LIKE's own default escape character
        session.add(Product(sku="BS-01", name="C:\\Temp cable", price_cents=99_900, stock=99))
        session.flush()
        # ties CB-02 on price and AD-01 on stock, added last but first by SKU: a sort that
        # breaks ties by id, or not at all, puts it after them
        session.add(Product(sku="AA-01", name="Lamp", price_cents=900, stock=0))
        session.commit()
        yield session


def search_for(session, term):
    """Search for `term`, and check that nothing typed reached the SQL text."""
    fetched = []  # rows each SELECT returned: the search runs in the database, not in Python

    def count(connection, cursor, *_):
        fetched.append(cursor.rowcount)

    event.listen(session.bind, "after_cursor_execute", count)
    try:
        with recorded_statements(session.bind) as statements:
            found = task.search_products(session, term=term)
    finally:
        event.remove(session.bind, "after_cursor_execute", count)
    assert sum(fetched) == len(found), (
        f"{sum(fetched)} rows came back for {len(found)} matches: filter in the WHERE clause"
    )

    # the term as typed (one character, like % or _, is in any SQL), and its words:
    # escaping by hand changes quotes, % and _, not letters
    traces = {term.lower()} if len(term) > 1 else set()
    traces |= set(re.findall(r"[a-z0-9]{3,}", term.lower()))
    inlined = sorted(t for t in traces if any(t in sql.lower() for sql in statements))
    assert not inlined, (
        f"{inlined} appeared in the SQL sent: the term must travel as a bound parameter"
    )
    return found


@pytest.mark.parametrize(
    ("term", "skus"),
    [
        ("keyboard", ["KB-01"]),
        ("KEYBOARD", ["KB-01"]),
        ("E", ["BS-01", "KB-01", "AD-01", "TS-01", "CB-02", "MS-01"]),
        ("", None),
    ],
    ids=["lower case", "any case", "several", "empty text matches all"],
)
def test_products_are_found_by_part_of_their_name(session, term, skus):
    found = search_for(session, term)

    # the empty term matches every product, listed by name
    expected = skus or ["MN-27", "BS-01", "AA-01", "KB-01", "AD-01", "TS-01", "CB-02", "MS-01"]
    assert found == expected, f"searching {term!r} by name should give {expected}, not {found}"


@pytest.mark.parametrize(
    ("term", "skus"),
    [
        ("%", ["TS-01"]),
        ("_", ["AD-01"]),
        ("usb_c", []),
        ("\\", ["BS-01"]),
        ("\\T", ["BS-01"]),
        ("' OR '1'='1", []),
        ("'; --", []),
    ],
    ids=[
        "percent is literal",
        "underscore is literal",
        "not a wildcard",
        "backslash is literal",
        "backslash escapes nothing",
        "injection",
        "quote",
    ],
)
def test_every_character_typed_is_literal(session, term, skus):
    found = search_for(session, term)

    assert found == skus, f"searching {term!r} should give {skus}, not {found}"


@pytest.mark.parametrize(
    ("sort_by", "skus"),
    [
        ("price", ["AA-01", "CB-02", "AD-01", "TS-01", "MS-01", "KB-01", "MN-27", "BS-01"]),
        ("stock", ["AA-01", "AD-01", "MN-27", "TS-01", "KB-01", "MS-01", "CB-02", "BS-01"]),
    ],
)
def test_results_follow_the_chosen_sort(session, sort_by, skus):
    assert task.search_products(session, term="", sort_by=sort_by) == skus


# "id" and "version" are real columns, not on the list: getattr(Product, ...) would take them
@pytest.mark.parametrize(
    "sort_by", ["sku; DROP TABLE products", "password", "price desc", "id", "version"]
)
def test_an_unknown_sort_is_refused_before_any_query(session, sort_by):
    with recorded_statements(session.bind) as statements, pytest.raises(ValueError):
        task.search_products(session, term="", sort_by=sort_by)

    assert statements == [], "check sort_by before sending anything to the database"
