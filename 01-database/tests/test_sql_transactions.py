"""An order is written whole or not at all; a savepoint undoes only its own part."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sql_concurrency import buy_with_atomic_update
from sql_models import Product
from sql_statements import recorded_statements
from sql_threads import WAIT_SECONDS, run_in_threads, wait_for_a_blocked_session
from sql_transactions import (
    OrderRefused,
    import_orders,
    order_count,
    order_from_skus,
    place_order_atomically,
    stock_by_sku,
)
from sqlalchemy import select, text
from sqlalchemy.orm import Session


def test_an_order_within_stock_is_written_with_its_stock_taken(shop):
    before = stock_by_sku(shop)

    place_order_atomically(shop, email="linus@example.com", quantities_by_sku={"KB-01": 2})

    assert stock_by_sku(shop) == before | {"KB-01": before["KB-01"] - 2}
    assert order_count(shop) == 4


def test_an_order_beyond_stock_is_refused_and_nothing_is_half_written(shop):
    before = stock_by_sku(shop)

    with pytest.raises(OrderRefused, match="ck_products_stock_not_negative"):
        place_order_atomically(
            shop, email="ada@example.com", quantities_by_sku={"KB-01": 1, "MN-27": 10}
        )

    assert stock_by_sku(shop) == before  # the keyboard's stock, taken first, is given back
    assert order_count(shop) == 3


def test_a_failed_order_in_a_batch_rolls_back_to_its_savepoint_only(shop):
    before = stock_by_sku(shop)
    batch = [
        ("ada@example.com", {"MS-01": 2}),
        ("grace@example.com", {"MN-27": 99}),
        ("linus@example.com", {"CB-02": 5}),
    ]

    placed = import_orders(shop, batch)

    assert placed == [True, False, True]
    assert order_count(shop) == 3 + 2
    assert stock_by_sku(shop) == before | {
        "MS-01": before["MS-01"] - 2,
        "CB-02": before["CB-02"] - 5,
    }


def test_an_order_with_an_unknown_sku_is_refused_and_nothing_is_written(shop):
    before = stock_by_sku(shop)

    with pytest.raises(OrderRefused, match="unknown product: TYPO-99"):
        place_order_atomically(
            shop, email="ada@example.com", quantities_by_sku={"KB-01": 1, "TYPO-99": 5}
        )

    assert stock_by_sku(shop) == before  # not an order with only the keyboard in it
    assert order_count(shop) == 3


def test_an_order_for_an_unknown_customer_is_refused(shop):
    with pytest.raises(OrderRefused, match=r"unknown customer: nobody@example\.com"):
        place_order_atomically(shop, email="nobody@example.com", quantities_by_sku={"KB-01": 1})

    assert order_count(shop) == 3


def test_an_order_locks_its_products_in_one_statement_in_id_order(shop):
    # one SELECT ... ORDER BY id FOR UPDATE: every order takes its row locks in the same
    # order, so two orders for the same products queue instead of deadlocking
    with recorded_statements(shop) as statements:
        place_order_atomically(
            shop, email="ada@example.com", quantities_by_sku={"MS-01": 1, "KB-01": 1}
        )

    locking = [s for s in statements if s.startswith("SELECT") and "FROM products" in s]
    assert len(locking) == 1
    # a plain FOR UPDATE: NOWAIT would refuse, SKIP LOCKED would not find, a product that
    # another order holds
    assert locking[0].rstrip().endswith("ORDER BY products.id FOR UPDATE")


def test_an_order_for_a_product_another_order_holds_waits_for_it_then_is_placed(shop):
    with shop.connect() as holder, ThreadPoolExecutor(max_workers=1) as pool:
        holder.execute(text("SELECT 1 FROM products WHERE sku = 'KB-01' FOR UPDATE"))
        placing = pool.submit(
            place_order_atomically, shop, email="ada@example.com", quantities_by_sku={"KB-01": 1}
        )
        try:
            wait_for_a_blocked_session(shop)  # queued behind the other order, not refused
        finally:
            holder.rollback()
        assert placing.result(timeout=WAIT_SECONDS) > 0


def test_a_batch_with_an_unknown_sku_rolls_back_that_order_alone(shop):
    placed = import_orders(
        shop, [("ada@example.com", {"TYPO-99": 1}), ("linus@example.com", {"CB-02": 1})]
    )

    assert placed == [False, True]
    assert order_count(shop) == 4


def test_two_batches_for_the_same_products_in_opposite_orders_queue_not_deadlock(shop):
    # a savepoint that is released keeps its row locks until the batch commits, so a batch
    # holds the locks of all its orders at once: in the order of the batch, unless the
    # batch locks all its products in id order first
    before = stock_by_sku(shop)
    first_holds_a_lock = threading.Event()

    def hold_until_the_second_waits() -> None:
        first_holds_a_lock.set()
        wait_for_a_blocked_session(shop)

    def first() -> list[bool]:
        batch = [("ada@example.com", {"KB-01": 1}), ("linus@example.com", {"MS-01": 1})]
        return import_orders(shop, batch, after_first_order=hold_until_the_second_waits)

    def second() -> list[bool]:
        first_holds_a_lock.wait(WAIT_SECONDS)
        # the mouse first: without the batch's own lock up front, it would hold the mouse
        # and wait for the keyboard, while the first batch holds the keyboard and wants the mouse
        return import_orders(
            shop, [("grace@example.com", {"MS-01": 1}), ("ada@example.com", {"KB-01": 1})]
        )

    assert run_in_threads(first, second) == [[True, True], [True, True]]
    assert stock_by_sku(shop) == before | {
        "KB-01": before["KB-01"] - 2,
        "MS-01": before["MS-01"] - 2,
    }
    assert order_count(shop) == 3 + 4


def test_an_order_decrements_the_locked_stock_even_if_the_session_read_the_product_before(
    shop,
):
    # the ORM does not overwrite an object it already holds with the row a later SELECT
    # returns, so without populate_existing the FOR UPDATE would lock the fresh row while
    # `stock -= quantity` worked on the old value (and the version column refused the flush)
    with Session(shop) as session, session.begin():
        keyboard = session.scalars(select(Product).where(Product.sku == "KB-01")).one()
        stock_read = keyboard.stock
        assert buy_with_atomic_update(shop, keyboard.id)  # another buyer commits meanwhile

        order_from_skus(session, email="ada@example.com", quantities_by_sku={"KB-01": 1})

    assert stock_by_sku(shop)["KB-01"] == stock_read - 2  # both sales count


def test_a_batch_locks_every_product_it_names_first_in_one_statement_in_id_order(shop):
    batch = [("ada@example.com", {"MS-01": 1}), ("linus@example.com", {"KB-01": 1, "CB-02": 1})]
    with recorded_statements(shop) as statements:
        import_orders(shop, batch)

    first_lock = next(s for s in statements if "FOR UPDATE" in s)
    assert statements.index(first_lock) < min(
        i for i, s in enumerate(statements) if s.startswith("SAVEPOINT")
    )  # before the first order's savepoint: the batch's locks, not the first order's
    assert first_lock.startswith("SELECT products.id")
    assert first_lock.rstrip().endswith("ORDER BY products.id FOR UPDATE")
