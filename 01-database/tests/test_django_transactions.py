"""transaction.atomic writes an order whole or not at all; a nested atomic is a savepoint."""

import threading

import pytest
from django_concurrency import in_own_connection
from django_orm import add_sample_shop, sql_sent
from django_project import empty_shop
from django_transactions import OrderRefused, import_orders, order_count, place_order, stock_by_sku
from sql_models import make_engine
from sql_threads import WAIT_SECONDS, run_in_threads, wait_for_a_blocked_session


@pytest.fixture
def shop(django_database):
    empty_shop()
    add_sample_shop()


def test_an_order_the_stock_cannot_cover_writes_nothing(shop):
    before = stock_by_sku()

    with pytest.raises(OrderRefused, match="ck_products_stock_not_negative"):
        place_order(email="ada@example.com", quantities_by_sku={"KB-01": 1, "MN-27": 10})

    assert stock_by_sku() == before  # the keyboard's stock, taken first, is back
    assert order_count() == 3


def test_a_batch_keeps_the_good_orders_and_undoes_the_bad_one_alone(shop):
    batch = [
        ("ada@example.com", {"MS-01": 2}),
        ("grace@example.com", {"MN-27": 99}),
        ("linus@example.com", {"CB-02": 5}),
    ]

    placed, statements = sql_sent(lambda: import_orders(batch))

    assert placed == [True, False, True]
    assert order_count() == 5
    assert stock_by_sku() == {"CB-02": 90, "KB-01": 11, "MN-27": 3, "MS-01": 27}
    commands = [" ".join(s.split()[:-1]) for s in statements if "SAVEPOINT" in s]
    assert commands == [  # one savepoint per order; the refused one rolled back to its own
        "SAVEPOINT", "RELEASE SAVEPOINT",
        "SAVEPOINT", "ROLLBACK TO SAVEPOINT", "RELEASE SAVEPOINT",
        "SAVEPOINT", "RELEASE SAVEPOINT",
    ]  # fmt: skip


def test_two_batches_for_the_same_products_in_opposite_orders_queue_not_deadlock(
    shop, django_database
):
    # a released savepoint keeps its row locks until the batch commits: without the batch's
    # own lock of all its products in id order, the two batches below deadlock (40P01)
    before = stock_by_sku()
    watcher = make_engine(django_database)  # a SQLAlchemy view of the same database's locks
    first_holds_a_lock = threading.Event()

    def hold_until_the_second_waits() -> None:
        first_holds_a_lock.set()
        wait_for_a_blocked_session(watcher)

    def first() -> list[bool]:
        batch = [("ada@example.com", {"KB-01": 1}), ("linus@example.com", {"MS-01": 1})]
        return import_orders(batch, after_first_order=hold_until_the_second_waits)

    def second() -> list[bool]:
        first_holds_a_lock.wait(WAIT_SECONDS)
        return import_orders(
            [("grace@example.com", {"MS-01": 1}), ("ada@example.com", {"KB-01": 1})]
        )

    try:
        results = run_in_threads(in_own_connection(first), in_own_connection(second))
    finally:
        watcher.dispose()
    assert results == [[True, True], [True, True]]
    assert stock_by_sku() == before | {"KB-01": before["KB-01"] - 2, "MS-01": before["MS-01"] - 2}
    assert order_count() == 3 + 4
