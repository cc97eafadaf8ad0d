"""Opposite lock orders deadlock; one fixed lock order makes the second transaction wait."""

import threading
from collections import defaultdict

import pytest
from sql_deadlocks import opposite_orders_in_id_order, opposite_orders_in_listed_order, products
from sql_models import create_schema
from sqlalchemy import event


@pytest.fixture
def two_products(engine):
    """The keyboard and the mouse, stored so that no way of reading them returns id order."""
    create_schema(engine)
    # the keyboard first but with the larger id: the table's physical order and the SKU
    # index's order are keyboard, mouse; id order is mouse, keyboard
    with engine.begin() as connection:
        for product_id, sku in [(2, "KB-01"), (1, "MS-01")]:
            connection.execute(
                products.insert().values(
                    id=product_id, sku=sku, name=sku, price_cents=100, stock=10
                )
            )
    return engine, [1, 2]


@pytest.fixture
def row_locks(two_products):
    """The product ids each thread locks with SELECT ... FOR UPDATE, in the order it locks them."""
    engine, _ = two_products
    locks = defaultdict(list)

    def record(conn, cursor, statement, parameters, context, executemany):
        if "FOR UPDATE" in statement:
            locks[threading.current_thread().name].append(parameters["id_1"])

    event.listen(engine, "before_cursor_execute", record)
    yield locks
    event.remove(engine, "before_cursor_execute", record)


def test_locking_rows_in_opposite_orders_deadlocks_and_postgres_aborts_one(two_products):
    outcomes = opposite_orders_in_listed_order(two_products[0])

    assert sorted(outcomes) == ["deadlock", "placed"]


def test_locking_rows_in_id_order_makes_the_second_transaction_wait_not_deadlock(
    two_products, row_locks
):
    engine, id_order = two_products

    outcomes = opposite_orders_in_id_order(engine)

    assert outcomes == ["placed", "placed"]
    # both in id order, not in the order the rows happen to be read (the physical order)
    assert list(row_locks.values()) == [id_order, id_order]
