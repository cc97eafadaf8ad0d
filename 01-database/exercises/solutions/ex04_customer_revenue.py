"""Reference solution for ex04: revenue per customer with an aggregation pipeline."""

from __future__ import annotations

from typing import Any

from pymongo.database import Database


def top_customers(db: Database, *, limit: int) -> list[dict[str, Any]]:
    """Return the `limit` best customers by revenue over paid orders, best first."""
    pipeline = [
        {"$match": {"status": "paid"}},
        {"$unwind": "$lines"},
        {
            "$group": {
                "_id": "$customer_id",
                "revenue_cents": {"$sum": {"$multiply": ["$lines.qty", "$lines.price_cents"]}},
                # one order has several lines after $unwind: count each order once
                "order_ids": {"$addToSet": "$_id"},
            }
        },
        {
            "$lookup": {
                "from": "customers",
                "localField": "_id",
                "foreignField": "_id",
                "as": "customer",
            }
        },
        {"$unwind": "$customer"},
        {
            "$project": {
                "_id": 0,
                "email": "$customer.email",
                "name": "$customer.name",
                "orders": {"$size": "$order_ids"},
                "revenue_cents": 1,
            }
        },
        # sort after $lookup so that ties can be broken by email
        {"$sort": {"revenue_cents": -1, "email": 1}},
        {"$limit": limit},
    ]
    return list(db.orders.aggregate(pipeline))
