"""A look-then-insert loses a concurrent delivery; INSERT ... ON CONFLICT counts both."""

import pytest
from sql_models import create_schema
from sql_upsert import receive, stock_of, two_deliveries


@pytest.fixture
def shop(engine):
    create_schema(engine)
    return engine


def test_the_wrong_way_refuses_one_of_two_concurrent_deliveries(shop):
    outcomes = two_deliveries(shop, naive=True)

    assert sorted(outcomes) == ["refused by the UNIQUE constraint", "stored"]
    assert stock_of(shop, "NEW-1") in (5, 7)  # one delivery is lost


def test_on_conflict_counts_both_concurrent_deliveries(shop):
    outcomes = two_deliveries(shop, naive=False)

    assert outcomes == ["stored", "stored"]
    assert stock_of(shop, "NEW-1") == 12


def test_an_upsert_of_a_listed_product_adds_to_its_stock(shop):
    receive(shop, sku="KB-01", quantity=3)

    receive(shop, sku="KB-01", quantity=4)

    assert stock_of(shop, "KB-01") == 7
