"""A multi-document transaction: reserve stock and record the order, all or nothing.

Run `python 01-database/mongo_transactions.py`. You will see an order placed inside
`client.start_session()` and `session.with_transaction(...)`: the stock of every product is
decremented and the order inserted together. When one product is out of stock the callback
raises, the transaction aborts, and NO stock moves and no order exists.

A single-document update is already atomic in MongoDB (that is why embedding helps); reach for
a transaction only when one business action must change several documents.
"""

from __future__ import annotations

import logging
from typing import Any

from bson import ObjectId
from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.database import Database

logger = logging.getLogger(__name__)


class OutOfStock(RuntimeError):
    """A product has less stock than the order asks for."""


def place_order_reserving_stock(
    client: MongoClient, db: Database, *, customer_id: ObjectId, lines: list[dict[str, Any]]
) -> ObjectId:
    """Decrement each product's stock and insert the order in one transaction.

    A quantity that is not a whole number of at least 1 is refused before anything is written:
    `stock >= -3` always matches, and `$inc` by +3 would put stock back on the shelf.
    """
    for line in lines:
        qty = line.get("qty")
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
            raise ValueError(f"each line needs a whole qty of at least 1, not {line!r}")

    def reserve_and_record(session: ClientSession) -> ObjectId:
        for line in lines:
            # the filter makes the check and the decrement one atomic step per product
            reserved = db.products.update_one(
                {"_id": line["sku"], "stock": {"$gte": line["qty"]}},
                {"$inc": {"stock": -line["qty"]}},
                session=session,
            )
            if reserved.matched_count == 0:  # no such product, or too little stock
                raise OutOfStock(line["sku"])  # with_transaction aborts, then re-raises
        order = {"customer_id": customer_id, "status": "paid", "lines": lines}
        return db.orders.insert_one(order, session=session).inserted_id

    with client.start_session() as session:
        # with_transaction commits, and retries on transient errors (so keep the callback
        # free of side effects outside the database)
        return session.with_transaction(reserve_and_record)


def stock_levels(db: Database) -> dict[str, int]:
    """Return {sku: stock} for every product."""
    return {p["_id"]: p["stock"] for p in db.products.find({}, {"stock": 1})}


def main() -> None:
    from mongo_documents import insert_products, make_mongo_client

    import course
    from course.sandbox import temporary_mongo_database

    settings = course.require("mongo")
    logging.basicConfig(level=logging.WARNING)
    with (
        make_mongo_client(settings.mongo_url) as client,
        temporary_mongo_database(client, prefix="mongo_transactions") as db,
    ):
        insert_products(db)
        customer = ObjectId()
        print(f"1. Stock before: {stock_levels(db)}")
        lines = [{"sku": "pen", "qty": 2, "price_cents": 2500}]
        order_id = place_order_reserving_stock(client, db, customer_id=customer, lines=lines)
        print(f"2. Order {order_id} committed; stock now {stock_levels(db)}")
        greedy = [
            {"sku": "ink", "qty": 5, "price_cents": 800},
            {"sku": "pen", "qty": 1000, "price_cents": 2500},
        ]
        try:
            place_order_reserving_stock(client, db, customer_id=customer, lines=greedy)
        except OutOfStock as error:
            print(f"3. Second order aborted: out of stock for {error}")
        # the ink line WAS decremented inside the transaction; the abort undid it
        print(f"   stock unchanged, the ink given back by the abort: {stock_levels(db)}")
        print(f"   orders stored: {db.orders.count_documents({})}")
    print("Conclusion: inside with_transaction every write commits together or not at all.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
