"""Checks for ex01: `course check 01 ex01` runs them against your task."""

import pytest
from sql_models import Product, create_schema
from sql_orm import add_sample_shop
from sql_statements import recorded_statements
from sqlalchemy.orm import Session

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.fixture
def shop(engine):
    create_schema(engine)
    with Session(engine) as session:
        add_sample_shop(session)
        session.add(Product(sku="HD-01", name="Headset", price_cents=4900, stock=3))
        session.commit()
    return engine


def test_every_product_is_listed_with_its_units_most_sold_first(shop):
    with Session(shop) as session:
        units = task.units_sold_by_product(session)

    assert [tuple(pair) for pair in units] == [
        ("CB-02", 5),
        ("MN-27", 2),
        ("KB-01", 1),
        ("MS-01", 1),
        ("HD-01", 0),
    ], "expected every product, with 0 for one never ordered, most sold first, then by SKU"


def test_the_answer_comes_from_a_single_query(shop):
    with Session(shop) as session, recorded_statements(shop) as statements:
        task.units_sold_by_product(session)

    assert len(statements) == 1, f"expected 1 SELECT, the function sent {len(statements)}"
    # one SELECT of every order line, summed in Python, ships each line to the application
    assert "sum(" in statements[0].lower(), (
        f"the database should add up the quantities (SUM in the SQL), not Python: {statements[0]}"
    )


def test_an_empty_shop_has_no_rows(engine):
    create_schema(engine)
    with Session(engine) as session:
        assert list(task.units_sold_by_product(session)) == []
