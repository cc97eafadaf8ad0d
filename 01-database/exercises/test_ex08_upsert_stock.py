"""Checks for ex08: `.venv/bin/course check 01 ex08` runs them against your task."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sql_concurrency import buy_optimistically
from sql_models import create_schema, make_engine
from sql_statements import recorded_statements
from sql_threads import add_product, current_stock
from sqlalchemy import text

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.fixture
def shop(engine):
    create_schema(engine)
    return engine


def stock_of(engine, sku):
    with engine.connect() as connection:
        return connection.scalar(text("SELECT stock FROM products WHERE sku = :sku"), {"sku": sku})


def test_a_first_delivery_creates_the_product_with_its_stock(shop):
    left = task.receive_delivery(shop, sku="NEW-1", name="Children's lamp", quantity=5)

    assert stock_of(shop, "NEW-1") == 5
    assert left == 5, f"the delivery returned {left!r}, not the stock it left (5)"
    with shop.connect() as connection:
        name, price = connection.execute(
            text("SELECT name, price_cents FROM products WHERE sku = 'NEW-1'")
        ).one()
    assert name == "Children's lamp", f"the name was stored as {name!r}"
    assert price == 100, f"a new product costs 100 cents, not {price}"


def test_a_second_delivery_adds_to_the_stock_and_returns_the_sum(shop):
    task.receive_delivery(shop, sku="NEW-1", name="Lamp", quantity=5)
    left = task.receive_delivery(shop, sku="NEW-1", name="Lamp", quantity=7)

    assert stock_of(shop, "NEW-1") == 12
    assert left == 12, f"the delivery returned {left!r}, not the stock it left (12)"


def test_a_delivery_during_an_optimistic_sale_bumps_the_version_so_neither_is_lost(shop):
    # a first delivery takes the product to (stock 15, version 2); the buyer reads that; a
    # second delivery lands; the buyer's UPDATE checks the version: unchanged, it would write
    # 15 - 1 over the delivery's 20. Starting past version 1 tells `version + 1` apart from
    # `excluded.version + 1`, which is 2 every time
    product_id = add_product(shop, stock=10, sku="KB-9")
    task.receive_delivery(shop, sku="KB-9", name="Keyboard", quantity=5)

    def delivery_lands() -> None:
        task.receive_delivery(shop, sku="KB-9", name="Keyboard", quantity=5)

    attempts = buy_optimistically(shop, product_id, after_read=delivery_lands)

    assert current_stock(shop, product_id) == 19, (
        "the delivery was lost: add 1 to the version the row has"
    )
    assert attempts == 2
    with shop.connect() as connection:
        kept = connection.execute(
            text("SELECT name, price_cents FROM products WHERE id = :id"), {"id": product_id}
        ).one()
    assert tuple(kept) == ("Mechanical keyboard", 8900), (
        "a delivery changes the stock (and the version) only: an existing product keeps its "
        "name and price; set only those two columns in ON CONFLICT DO UPDATE"
    )


@pytest.mark.parametrize("round_number", [1, 2])
def test_eight_concurrent_deliveries_of_a_new_product_all_count(shop, round_number):
    # open the eight connections first: opening one takes longer than the upsert itself, so
    # threads that each connect after the barrier would run one after another, never together;
    # the default pool keeps only five (pool_size=5), so this engine keeps all eight
    engine = make_engine(shop.url, pool_size=8)
    held = [engine.connect() for _ in range(8)]
    for connection in held:
        connection.close()  # back to the pool, open and ready
    start_together = threading.Barrier(8, timeout=10)
    sku = f"NEW-2-{round_number}"

    def deliver() -> int:
        start_together.wait()
        return task.receive_delivery(engine, sku=sku, name="Desk", quantity=1)

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(deliver) for _ in range(8)]
            # result() re-raises a UNIQUE violation, if there was one
            returned = [future.result(timeout=10) for future in futures]
    finally:
        engine.dispose()

    assert stock_of(shop, sku) == 8, "a delivery was lost"
    # each delivery's own stock: the row as its statement left it, not as read later
    assert sorted(returned) == list(range(1, 9)), (
        f"the deliveries returned {sorted(returned)}: each must return the stock it left"
    )


def test_a_delivery_is_one_insert_on_conflict_for_a_new_and_an_existing_product(shop):
    # both cases: an INSERT that falls back to an UPDATE after an IntegrityError sends one
    # statement for a new SKU and two, in two transactions, for one that exists
    for delivery in ("new", "existing"):
        with recorded_statements(shop) as statements:
            task.receive_delivery(shop, sku="NEW-3", name="Chair", quantity=2)

        assert len(statements) == 1, (
            f"expected one INSERT ... ON CONFLICT for the {delivery} product, got "
            f"{len(statements)}: {statements}"
        )
        assert "ON CONFLICT" in statements[0].upper(), (
            f"the delivery of the {delivery} product sent no ON CONFLICT: {statements[0]}"
        )
        inlined = [value for value in ("NEW-3", "Chair") if value in statements[0]]
        assert not inlined, f"{inlined} in the SQL text: send the values as bound parameters"
    assert stock_of(shop, "NEW-3") == 4
