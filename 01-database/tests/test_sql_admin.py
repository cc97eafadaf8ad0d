"""A stored function places the same order as the Python code, in one round trip."""

import pytest
from psycopg import errors
from sql_admin import (
    count_round_trips,
    install_place_order_function,
    place_order_in_database,
    place_order_in_python,
)
from sql_transactions import stock_by_sku
from sqlalchemy.exc import IntegrityError, ProgrammingError

ORDER = {"email": "linus@example.com", "quantities_by_sku": {"KB-01": 1, "CB-02": 2}}


@pytest.fixture
def shop(shop):
    install_place_order_function(shop)
    return shop


def test_the_stored_function_needs_one_round_trip_where_python_needs_several(shop):
    python_trips, python_total = count_round_trips(shop, place_order_in_python, **ORDER)
    function_trips, function_total = count_round_trips(shop, place_order_in_database, **ORDER)

    assert function_trips == 1
    assert python_trips >= 5  # customer, products, order, lines, stock: one trip each at least
    assert function_total == python_total == 8900 + 2 * 900


def test_the_stored_function_takes_the_stock_like_the_python_code(shop):
    before = stock_by_sku(shop)

    place_order_in_database(shop, **ORDER)

    assert stock_by_sku(shop) == before | {
        "KB-01": before["KB-01"] - 1,
        "CB-02": before["CB-02"] - 2,
    }


def test_the_stored_function_refuses_to_oversell_and_writes_nothing(shop):
    before = stock_by_sku(shop)

    with pytest.raises(IntegrityError, match="ck_products_stock_not_negative"):
        place_order_in_database(shop, email="ada@example.com", quantities_by_sku={"MN-27": 99})

    assert stock_by_sku(shop) == before


def test_the_stored_function_refuses_an_unknown_customer(shop):
    with pytest.raises(ProgrammingError, match="unknown customer") as refused:
        place_order_in_database(shop, email="nobody@example.com", quantities_by_sku={"KB-01": 1})

    assert isinstance(refused.value.orig, errors.NoDataFound)


def test_the_stored_function_refuses_an_unknown_sku_and_writes_nothing(shop):
    before = stock_by_sku(shop)

    with pytest.raises(ProgrammingError, match="unknown product: TYPO-99") as refused:
        place_order_in_database(
            shop, email="ada@example.com", quantities_by_sku={"KB-01": 1, "TYPO-99": 5}
        )

    assert isinstance(refused.value.orig, errors.NoDataFound)
    assert stock_by_sku(shop) == before
