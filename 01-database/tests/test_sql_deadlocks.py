"""Opposite lock orders deadlock; one fixed lock order makes the second transaction wait."""

import pytest
from sql_deadlocks import (
    add_keyboard_and_mouse,
    opposite_orders_in_id_order,
    opposite_orders_in_listed_order,
)
from sql_models import create_schema


@pytest.fixture
def two_products(engine):
    create_schema(engine)
    add_keyboard_and_mouse(engine)
    return engine


def test_locking_rows_in_opposite_orders_deadlocks_and_postgres_aborts_one(two_products):
    outcomes = opposite_orders_in_listed_order(two_products)

    assert sorted(outcomes) == ["deadlock", "placed"]


def test_locking_rows_in_id_order_makes_the_second_transaction_wait_not_deadlock(two_products):
    outcomes = opposite_orders_in_id_order(two_products)

    assert outcomes == ["placed", "placed"]
