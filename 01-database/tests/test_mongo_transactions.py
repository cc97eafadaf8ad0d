"""A multi-document transaction: stock and order change together or not at all."""

import pytest
from bson import ObjectId
from mongo_documents import insert_products
from mongo_transactions import OutOfStock, place_order_reserving_stock, stock_levels
from pymongo.client_session import ClientSession


@pytest.fixture
def shop_db(mongo_db):
    # no create_collection("orders") first: since MongoDB 4.4 an insert inside a transaction
    # creates the collection (the pre-4.4 advice to create it beforehand is obsolete)
    insert_products(mongo_db)
    return mongo_db


def test_a_committed_order_decrements_the_stock_of_each_line(mongo_client, shop_db, monkeypatch):
    lines = [
        {"sku": "pen", "qty": 2, "price_cents": 2500},
        {"sku": "ink", "qty": 3, "price_cents": 800},
    ]
    # what a reader outside the transaction sees just before the commit: nothing yet. A write
    # made without session=... is already there (and would survive a failed commit)
    outside_before_commit = []
    commit = ClientSession.commit_transaction

    def look_then_commit(session):
        outside_before_commit.append((shop_db.orders.count_documents({}), stock_levels(shop_db)))
        return commit(session)

    monkeypatch.setattr(ClientSession, "commit_transaction", look_then_commit)

    order_id = place_order_reserving_stock(
        mongo_client, shop_db, customer_id=ObjectId(), lines=lines
    )

    assert outside_before_commit == [(0, {"pen": 50, "ink": 200, "pad": 120})], (
        "every write must be made inside the transaction (session=session)"
    )
    assert shop_db.orders.find_one({"_id": order_id})["lines"] == lines
    assert stock_levels(shop_db) == {"pen": 48, "ink": 197, "pad": 120}


def test_an_out_of_stock_line_aborts_the_whole_order(mongo_client, shop_db):
    lines = [
        {"sku": "ink", "qty": 5, "price_cents": 800},
        {"sku": "pen", "qty": 51, "price_cents": 2500},
    ]

    with pytest.raises(OutOfStock, match="pen"):
        place_order_reserving_stock(mongo_client, shop_db, customer_id=ObjectId(), lines=lines)

    assert stock_levels(shop_db) == {"pen": 50, "ink": 200, "pad": 120}
    assert shop_db.orders.count_documents({}) == 0


@pytest.mark.parametrize("qty", [-3, 0, 1.5, "2", True])
def test_a_quantity_that_is_not_a_whole_number_above_zero_is_refused(mongo_client, shop_db, qty):
    # a qty of -3 passes the stock filter (stock >= -3) and $inc adds 3 to the shelf
    lines = [{"sku": "ink", "qty": 1, "price_cents": 800}, {"sku": "pad", "qty": qty}]

    with pytest.raises(ValueError, match="a whole qty of at least 1"):
        place_order_reserving_stock(mongo_client, shop_db, customer_id=ObjectId(), lines=lines)

    assert stock_levels(shop_db) == {"pen": 50, "ink": 200, "pad": 120}
    assert shop_db.orders.count_documents({}) == 0
