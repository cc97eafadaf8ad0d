"""A stored function places the same order as the Python code, in one round trip."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from psycopg import errors
from sql_admin import (
    count_round_trips,
    install_place_order_function,
    place_order_in_database,
    place_order_in_python,
)
from sql_threads import WAIT_SECONDS, wait_for_a_blocked_session
from sql_transactions import stock_by_sku
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

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


def versions_by_sku(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(text("SELECT sku, version FROM products")).all())


def test_the_stored_function_takes_the_stock_like_the_python_code(shop):
    before, versions = stock_by_sku(shop), versions_by_sku(shop)

    place_order_in_database(shop, **ORDER)

    assert stock_by_sku(shop) == before | {
        "KB-01": before["KB-01"] - 1,
        "CB-02": before["CB-02"] - 2,
    }
    # the ORM's version_id_col must see the function's write, or its next commit overwrites it
    assert versions_by_sku(shop) == versions | {
        "KB-01": versions["KB-01"] + 1,
        "CB-02": versions["CB-02"] + 1,
    }


def test_the_stored_function_locks_its_products_in_id_order_before_anything_else(shop):
    with shop.connect() as connection:
        ids = dict(connection.execute(text("SELECT sku, id FROM products")).all())
    first, last = sorted(ORDER["quantities_by_sku"], key=ids.get)
    listed_last_first = {"email": ORDER["email"], "quantities_by_sku": {last: 1, first: 1}}
    lock = text("SELECT 1 FROM products WHERE id = :id FOR UPDATE NOWAIT")
    # planned as on a big products table: the listed SKUs drive the joins, through the index on
    # sku, so without the function's first lock its rows would be locked in the listed order
    # (on four rows a sequential scan happens to lock them in id order anyway)
    as_if_big = create_engine(
        shop.url, connect_args={"options": "-c enable_seqscan=off -c enable_hashjoin=off"}
    )

    with shop.connect() as holder, ThreadPoolExecutor(max_workers=1) as pool:
        holder.execute(lock, {"id": ids[first]})  # another order holds the lower id
        placing = pool.submit(place_order_in_database, as_if_big, **listed_last_first)
        try:
            wait_for_a_blocked_session(shop)
            with shop.connect() as probe:
                # the waiting call must hold nothing yet: locking the rows in the order they
                # were listed would hold the higher id while it waits (and deadlock, in turn)
                try:
                    probe.execute(lock, {"id": ids[last]})
                except OperationalError as held:
                    pytest.fail(f"the waiting call already holds {last}'s row: {held.orig}")
        finally:
            holder.rollback()
        assert placing.result(timeout=WAIT_SECONDS) > 0
    as_if_big.dispose()


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
