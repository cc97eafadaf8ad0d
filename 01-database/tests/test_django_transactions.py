"""transaction.atomic writes an order whole or not at all; a nested atomic is a savepoint."""

import pytest
from django_orm import add_sample_shop, sql_sent
from django_project import empty_shop
from django_transactions import OrderRefused, import_orders, order_count, place_order, stock_by_sku


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
