"""A look-then-insert loses a concurrent delivery; INSERT ... ON CONFLICT counts both."""

import pytest
from sql_concurrency import buy_optimistically
from sql_models import Product, create_schema
from sql_upsert import receive, stock_of, two_deliveries
from sqlalchemy import select


@pytest.fixture
def shop(engine):
    create_schema(engine)
    return engine


def product_id_of(engine, sku: str) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(Product.id).where(Product.sku == sku))


def test_the_wrong_way_refuses_one_of_two_concurrent_deliveries(shop):
    outcomes = two_deliveries(shop, naive=True)

    assert sorted(outcomes) == ["refused by the UNIQUE constraint", "stored"]
    assert stock_of(shop, "NEW-1") in (5, 7)  # one delivery is lost


def test_on_conflict_counts_both_concurrent_deliveries(shop):
    # two_deliveries sends the second while the first's row is written but not committed;
    # a look-then-insert there gets the UNIQUE violation, ON CONFLICT waits and adds
    outcomes = two_deliveries(shop, naive=False)

    assert outcomes == ["stored", "stored"]
    assert stock_of(shop, "NEW-1") == 12


def test_an_upsert_of_a_listed_product_adds_to_its_stock(shop):
    receive(shop, sku="KB-01", quantity=3)

    receive(shop, sku="KB-01", quantity=4)

    assert stock_of(shop, "KB-01") == 7


def test_an_upsert_bumps_the_version_so_an_optimistic_buyer_does_not_overwrite_it(shop):
    # the ORM's version column makes buy_optimistically write WHERE version = :read; an
    # UPDATE that changed the stock but not the version would be silently overwritten
    receive(shop, sku="KB-01", quantity=10)
    # a second delivery takes the version past 1, where `products.version + 1` and
    # `excluded.version + 1` (the proposed row's default, 1, plus one: always 2) differ
    receive(shop, sku="KB-01", quantity=10)
    product_id = product_id_of(shop, "KB-01")

    attempts = buy_optimistically(
        shop, product_id, after_read=lambda: receive(shop, sku="KB-01", quantity=5)
    )

    assert attempts == 2  # the first attempt saw the delivery's version change and retried
    assert stock_of(shop, "KB-01") == 24
