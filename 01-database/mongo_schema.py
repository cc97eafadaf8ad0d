"""Schema validation: a `$jsonSchema` validator makes MongoDB refuse malformed orders.

Run `python 01-database/mongo_schema.py`. You will see a collection created with a validator,
a valid order accepted, and an order without lines, with a negative quantity or with an
unknown status refused by the SERVER (WriteError, code 121 "Document failed validation"),
whichever program wrote it, unless the write asks to bypass validation
(`bypass_document_validation=True`, a privilege once access control is on). Documents are
flexible; validation decides how flexible.
"""

from __future__ import annotations

import logging
from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import WriteError

logger = logging.getLogger(__name__)

DOCUMENT_FAILED_VALIDATION = 121

ORDER_SCHEMA = {
    "bsonType": "object",
    "required": ["customer_id", "status", "lines"],
    "properties": {
        "customer_id": {"bsonType": "objectId"},
        "status": {"enum": ["paid", "cancelled"]},
        "lines": {
            "bsonType": "array",
            "minItems": 1,
            "items": {
                "bsonType": "object",
                "required": ["sku", "qty", "price_cents"],
                "properties": {
                    "sku": {"bsonType": "string"},
                    "qty": {"bsonType": "int", "minimum": 1},
                    "price_cents": {"bsonType": "int", "minimum": 0},
                },
            },
        },
    },
}


def create_validated_orders(db: Database, name: str = "orders") -> Collection:
    """Create the orders collection with the $jsonSchema validator (reject invalid writes)."""
    return db.create_collection(
        name,
        validator={"$jsonSchema": ORDER_SCHEMA},
        validationLevel="strict",  # check every insert and update
        validationAction="error",  # refuse, rather than only log ("warn")
    )


def try_insert(orders: Collection, document: dict[str, Any]) -> str:
    """Insert a document; return "accepted" or the reason the server refused it."""
    try:
        orders.insert_one(document)
    except WriteError as error:
        if error.code != DOCUMENT_FAILED_VALIDATION:
            raise
        logger.info("refused by the validator: %s", error.details)
        return f"refused (code {error.code})"
    return "accepted"


def main() -> None:
    from bson import ObjectId
    from mongo_documents import make_mongo_client

    import course
    from course.sandbox import temporary_mongo_database

    settings = course.require("mongo")
    logging.basicConfig(level=logging.WARNING)
    with (
        make_mongo_client(settings.mongo_url) as client,
        temporary_mongo_database(client, prefix="mongo_schema") as db,
    ):
        orders = create_validated_orders(db)
        print("1. orders has a $jsonSchema validator (validationAction: error)")
        line = {"sku": "pen", "qty": 1, "price_cents": 2500}
        attempts = {
            "a valid order": {"customer_id": ObjectId(), "status": "paid", "lines": [line]},
            "no lines": {"customer_id": ObjectId(), "status": "paid", "lines": []},
            "qty -1": {"customer_id": ObjectId(), "status": "paid", "lines": [{**line, "qty": -1}]},
            "status 'lost'": {"customer_id": ObjectId(), "status": "lost", "lines": [line]},
        }
        for step, (label, document) in enumerate(attempts.items(), start=2):
            print(f"{step}. {label:<14} -> {try_insert(orders, document)}")
        print(f"   documents stored: {orders.count_documents({})}")
    print(
        "Conclusion: the server enforces the shape for every client that does not bypass"
        " validation (a privilege once access control is on); keep validators to the rules"
        " that must always hold."
    )


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
