"""A stored function places the same order as the Python code, in one round trip."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

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


@contextmanager
def a_call_waiting_for(shop, held_sku: str, order: dict[str, int]) -> Iterator[dict[str, int]]:
    """Hold `held_sku`'s row, start place_order() for `order`, and yield once it waits."""
    with shop.begin() as connection:
        # rows stored in SKU order, so that no scan returns them in id order by chance
        connection.execute(text("CLUSTER products USING uq_products_sku"))
    with shop.connect() as connection:
        ids = dict(connection.execute(text("SELECT sku, id FROM products")).all())
    # planned as on a big products table: the listed SKUs drive the joins, through the index
    # on sku (on four rows a sequential scan would lock them in storage order anyway)
    as_if_big = create_engine(
        shop.url, connect_args={"options": "-c enable_seqscan=off -c enable_hashjoin=off"}
    )
    with shop.connect() as holder, ThreadPoolExecutor(max_workers=1) as pool:
        holder.execute(LOCK, {"id": ids[held_sku]})
        placing = pool.submit(
            place_order_in_database, as_if_big, email=ORDER["email"], quantities_by_sku=order
        )
        try:
            wait_for_a_blocked_session(shop)
            yield ids
        finally:
            holder.rollback()
        assert placing.result(timeout=WAIT_SECONDS) > 0
    as_if_big.dispose()


LOCK = text("SELECT 1 FROM products WHERE id = :id FOR UPDATE NOWAIT")


def test_the_stored_function_locks_its_products_in_id_order_before_anything_else(shop):
    # another order holds the lower id; the call lists the higher id first, and is stored
    # first: locking in any other order than id order, it would hold the higher one already
    # while it waits (and two such calls deadlock)
    with a_call_waiting_for(shop, "KB-01", {"CB-02": 1, "KB-01": 1}) as ids:
        assert ids["KB-01"] < ids["CB-02"]
        with shop.connect() as probe:
            try:
                probe.execute(LOCK, {"id": ids["CB-02"]})
            except OperationalError as held:
                pytest.fail(f"the waiting call already holds CB-02's row: {held.orig}")


def test_the_stored_function_takes_its_row_locks_for_update_not_for_share(shop):
    # another order holds the higher id; the call has locked the lower one and waits. Its lock
    # must exclude a share lock: two calls holding FOR SHARE would each wait to upgrade it
    share = text("SELECT 1 FROM products WHERE id = :id FOR SHARE NOWAIT")
    with a_call_waiting_for(shop, "CB-02", {"CB-02": 1, "KB-01": 1}) as ids:
        with shop.connect() as probe, pytest.raises(OperationalError) as refused:
            probe.execute(share, {"id": ids["KB-01"]})
        assert isinstance(refused.value.orig, errors.LockNotAvailable)


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
