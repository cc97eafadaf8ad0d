"""Schema validation with $jsonSchema: the server refuses malformed orders."""

import pytest
from bson import Int64, ObjectId
from mongo_schema import DOCUMENT_FAILED_VALIDATION, create_validated_orders, try_insert
from pymongo.errors import DuplicateKeyError, WriteError

LINE = {"sku": "pen", "qty": 1, "price_cents": 2500}


def valid_order(**changes):
    return {"customer_id": ObjectId(), "status": "paid", "lines": [LINE], **changes}


def test_a_valid_order_is_accepted(mongo_db):
    orders = create_validated_orders(mongo_db)

    assert try_insert(orders, valid_order()) == "accepted"
    assert orders.count_documents({}) == 1


@pytest.mark.parametrize(
    "invalid",
    [
        valid_order(lines=[]),
        valid_order(lines=[{**LINE, "qty": 0}]),
        valid_order(lines=[{**LINE, "qty": -1}]),
        valid_order(lines=[{**LINE, "qty": 1.5}]),
        # bsonType "int" is int32 only: a 64-bit integer (Int64, or what another driver sends
        # for a large number) is refused too; ["int", "long"] would accept both
        valid_order(lines=[{**LINE, "qty": Int64(2)}]),
        valid_order(lines=[{**LINE, "price_cents": -1}]),
        valid_order(lines=[{**LINE, "sku": 5}]),
        valid_order(lines=[{"sku": "pen", "qty": 1}]),
        valid_order(status="lost"),
        {"customer_id": ObjectId(), "lines": [LINE]},
        valid_order(customer_id="not-an-object-id"),
        {"status": "paid", "lines": [LINE]},
    ],
    ids=[
        "no-lines",
        "zero-qty",
        "negative-qty",
        "fractional-qty",
        "int64-qty",
        "negative-price",
        "numeric-sku",
        "line-without-price",
        "unknown-status",
        "no-status",
        "string-id",
        "no-customer",
    ],
)
def test_an_invalid_order_is_refused_by_the_server(mongo_db, invalid):
    orders = create_validated_orders(mongo_db)

    with pytest.raises(WriteError) as refused:
        orders.insert_one(invalid)

    assert refused.value.code == DOCUMENT_FAILED_VALIDATION
    # what the demo prints for it: the server's refusal, reported as one line
    assert try_insert(orders, invalid) == f"refused (code {DOCUMENT_FAILED_VALIDATION})"
    assert orders.count_documents({}) == 0


def test_a_write_refused_for_another_reason_is_not_reported_as_invalid(mongo_db):
    orders = create_validated_orders(mongo_db)
    order = valid_order()
    try_insert(orders, order)  # insert_one sets order["_id"]

    # a duplicate _id (code 11000) is not the validator's answer: it propagates
    with pytest.raises(DuplicateKeyError):
        try_insert(orders, order)


def test_an_update_that_breaks_the_schema_is_refused_too(mongo_db):
    orders = create_validated_orders(mongo_db)
    order_id = orders.insert_one(valid_order()).inserted_id

    with pytest.raises(WriteError):
        orders.update_one({"_id": order_id}, {"$set": {"status": "lost"}})

    assert orders.find_one({"_id": order_id})["status"] == "paid"


def test_an_order_that_was_already_invalid_is_checked_on_its_next_update(mongo_db):
    # "strict": every update is checked; "moderate" would let an update of a document that was
    # already invalid (stored before the validator, or with validation bypassed) go through
    orders = create_validated_orders(mongo_db)
    order_id = orders.insert_one(
        valid_order(status="lost"), bypass_document_validation=True
    ).inserted_id

    with pytest.raises(WriteError):
        orders.update_one({"_id": order_id}, {"$set": {"lines": []}})

    assert orders.find_one({"_id": order_id})["lines"] == [LINE]
