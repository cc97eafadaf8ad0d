"""Documents with PyMongo: CRUD, modelling orders as documents, and update operators.

Run `python 01-database/mongo_documents.py`. You will see one MongoClient created once and
passed to small functions; a customer created, read, updated and deleted; an order stored as
ONE document that embeds its lines and REFERENCES its customer; and the update operators
($set, $inc, $push, $addToSet) changing nested fields in place, atomically, on the server.

Money is stored as integer cents: exact, and the same in Python, MongoDB and PostgreSQL.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo import MongoClient
from pymongo.database import Database

logger = logging.getLogger(__name__)

# products use their SKU as _id: a natural, unique key that order lines can refer to
PRODUCTS = [
    {"_id": "pen", "name": "Fountain pen", "category": "writing", "price_cents": 2500, "stock": 50},
    {"_id": "ink", "name": "Ink bottle", "category": "writing", "price_cents": 800, "stock": 200},
    {"_id": "pad", "name": "Paper pad", "category": "paper", "price_cents": 450, "stock": 120},
]


def make_mongo_client(mongo_url: str, **options: Any) -> MongoClient:
    """Create the one MongoClient an application holds (it is a pool: create it once).

    `options` are passed on to MongoClient as well (a test adds its `event_listeners`).
    """
    # without timeoutMS an operation on a server that accepted it and then stalls waits for
    # ever (socketTimeoutMS is unset by default); with it, every operation, server selection
    # and retries included, raises a timeout error after 10 s: generous for the lesson's data
    return MongoClient(
        mongo_url, serverSelectionTimeoutMS=5000, timeoutMS=10_000, tz_aware=True, **options
    )


def insert_customer(db: Database, *, name: str, email: str) -> ObjectId:
    """Insert a customer document and return its generated _id."""
    return db.customers.insert_one({"name": name, "email": email}).inserted_id


def find_customer_by_email(db: Database, email: str) -> dict[str, Any] | None:
    """Return the customer with this email, or None."""
    return db.customers.find_one({"email": email})


def rename_customer(db: Database, customer_id: ObjectId, name: str) -> int:
    """Change a customer's name; return how many documents changed (0 or 1)."""
    return db.customers.update_one({"_id": customer_id}, {"$set": {"name": name}}).modified_count


def delete_customer(db: Database, customer_id: ObjectId) -> int:
    """Delete a customer; return how many documents were deleted (0 or 1)."""
    return db.customers.delete_one({"_id": customer_id}).deleted_count


def insert_products(db: Database, products: list[dict[str, Any]] = PRODUCTS) -> None:
    """Insert the product catalogue (copies, so the module's list is never mutated)."""
    db.products.insert_many([dict(product) for product in products])


def order_line(db: Database, sku: str, qty: int) -> dict[str, Any]:
    """Build an order line that snapshots the product's name and price at the time of sale."""
    product = db.products.find_one({"_id": sku}, {"name": 1, "price_cents": 1})
    if product is None:
        raise LookupError(f"no product with sku {sku!r}")
    return {"sku": sku, "name": product["name"], "qty": qty, "price_cents": product["price_cents"]}


def place_order(
    db: Database, *, customer_id: ObjectId, lines: list[dict[str, Any]], status: str = "paid"
) -> ObjectId:
    """Insert an order that embeds its lines and references its customer by _id."""
    order = {
        "customer_id": customer_id,  # a reference: customers live on in their own collection
        "placed_at": datetime.now(UTC),
        "status": status,
        "lines": lines,  # embedded: lines belong to this order and are read with it
        "item_count": sum(line["qty"] for line in lines),
        "total_cents": sum(line["qty"] * line["price_cents"] for line in lines),
        "shipping": {"status": "pending"},
        "tags": [],
    }
    return db.orders.insert_one(order).inserted_id


def orders_of_customer(db: Database, customer_id: ObjectId) -> list[dict[str, Any]]:
    """Return a customer's orders, newest first, each with its lines, in one query."""
    # _id breaks a tie between two orders placed in the same millisecond, so the order is
    # stable; it is the order they were placed in only within one process (an ObjectId is
    # seconds, then a random value per process, then a counter), not across app servers
    return list(db.orders.find({"customer_id": customer_id}).sort([("placed_at", -1), ("_id", -1)]))


def add_line(db: Database, order_id: ObjectId, line: dict[str, Any]) -> bool:
    """Append a line to an open order and update its totals in the same atomic update."""
    result = db.orders.update_one(
        {"_id": order_id, "shipping.status": "pending"},
        {
            "$push": {"lines": line},
            "$inc": {"item_count": line["qty"], "total_cents": line["qty"] * line["price_cents"]},
        },
    )
    return result.modified_count == 1


def ship_order(db: Database, order_id: ObjectId, *, carrier: str) -> bool:
    """Mark an order shipped by setting fields of its nested `shipping` subdocument."""
    result = db.orders.update_one(
        {"_id": order_id, "shipping.status": "pending"},
        {"$set": {"shipping.status": "shipped", "shipping.carrier": carrier}},
    )
    return result.modified_count == 1


def tag_order(db: Database, order_id: ObjectId, tag: str) -> None:
    """Add a tag unless the order already has it ($addToSet keeps the array a set)."""
    db.orders.update_one({"_id": order_id}, {"$addToSet": {"tags": tag}})


def main() -> None:
    import course
    from course.sandbox import temporary_mongo_database

    settings = course.require("mongo")
    logging.basicConfig(level=logging.WARNING)
    client = make_mongo_client(settings.mongo_url)
    with client, temporary_mongo_database(client, prefix="mongo_documents") as db:
        print(f"1. CRUD on `customers` (a throwaway database: {db.name})")
        ada = insert_customer(db, name="Ada", email="ada@example.com")
        print(f"   inserted Ada with _id {ada}")
        print(f"   renamed: {rename_customer(db, ada, 'Ada Lovelace')} document changed")
        print(f"   found by email: {find_customer_by_email(db, 'ada@example.com')['name']}")
        temp = insert_customer(db, name="Temp", email="temp@example.com")
        print(f"   deleted a second customer: {delete_customer(db, temp)} document")

        print("2. An order is ONE document: lines embedded, customer referenced")
        insert_products(db)
        lines = [order_line(db, "pen", 1), order_line(db, "ink", 2)]
        order_id = place_order(db, customer_id=ada, lines=lines)
        order = orders_of_customer(db, ada)[0]
        print(
            f"   {len(order['lines'])} lines, {order['item_count']} items, "
            f"total {order['total_cents'] / 100:.2f}, customer_id {order['customer_id']}"
        )

        print("3. Update operators change nested fields on the server, atomically")
        add_line(db, order_id, order_line(db, "pad", 3))  # $push + $inc
        ship_order(db, order_id, carrier="PostNL")  # $set on shipping.status, shipping.carrier
        tag_order(db, order_id, "gift")
        tag_order(db, order_id, "gift")  # $addToSet: the second call changes nothing
        order = db.orders.find_one({"_id": order_id})
        print(
            f"   lines {[line['sku'] for line in order['lines']]}, items {order['item_count']}, "
            f"total {order['total_cents'] / 100:.2f}"
        )
        print(f"   shipping {order['shipping']}, tags {order['tags']}")
        print(f"   adding a line after shipping is refused: {not add_line(db, order_id, lines[0])}")
    print(
        "Conclusion: embed what is owned and read together (lines); reference what is shared"
        " and changes on its own (customers)."
    )


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
