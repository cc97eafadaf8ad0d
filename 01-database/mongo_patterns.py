"""MongoDB habits a schema must not miss: the 16 MB limit, the bucket pattern, partial and TTL
indexes, and the write and read concerns that say when a write is safe.

Run `python 01-database/mongo_patterns.py`. You will see:
1. A document over 16 MB (BSON's limit) refused by PyMongo before it is sent: an array that
   grows forever (every reading of a sensor in one document) must be split.
2. The bucket pattern: readings grouped into one document per sensor per hour, appended
   with one upsert each ($push plus a count), so documents stay small and few.
3. A partial unique index: emails unique among the customers that have one, while any
   number of customers have none (a plain unique index would allow only one).
4. A TTL index: MongoDB deletes each session document once its `expires_at` has passed (its
   background monitor runs about every 60 seconds, so the deletion is not instant).
5. Write concern `w: "majority"` with `j: true`: the insert returns once a majority of the
   replica set has it in its journal, so a failover cannot roll it back (the client's
   timeoutMS bounds the wait); and a transaction read with read concern "snapshot" sees one
   consistent point in time.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from bson.errors import InvalidDocument
from pymongo import MongoClient, WriteConcern
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DocumentTooLarge, DuplicateKeyError
from pymongo.read_concern import ReadConcern

logger = logging.getLogger(__name__)

MAX_BSON_BYTES = 16 * 1024 * 1024
# no wtimeout: PyMongo deprecates it (since 4.7) and leaves it out of every write of a client
# with timeoutMS, as make_mongo_client's; that timeout (10 s) bounds the wait for the majority,
# or `with pymongo.timeout(seconds):` around a block of operations
DURABLE = WriteConcern(w="majority", j=True)


def insert_oversized_document(db: Database) -> str:
    """Try to store 17 MB in one document; return the error PyMongo raises."""
    try:
        db.sensor_readings.insert_one({"sensor": "s1", "readings": "x" * (17 * 1024 * 1024)})
    except (DocumentTooLarge, InvalidDocument) as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    return "stored (unexpected: the limit is 16 MB)"


def create_bucket_index(db: Database) -> str:
    """Make (sensor, hour) unique: two concurrent upserts of a new bucket then make one."""
    # without it, two upserts that both find no bucket may both insert one (the MongoDB
    # manual, updateOne "Upsert with Duplicate Values"); with it the server retries the loser
    return db.sensor_buckets.create_index([("sensor", 1), ("hour", 1)], unique=True)


def record_reading(db: Database, *, sensor: str, at: datetime, value: float) -> None:
    """Append a reading to its sensor's bucket for that hour, creating the bucket if needed."""
    hour = at.replace(minute=0, second=0, microsecond=0)
    db.sensor_buckets.update_one(
        {"sensor": sensor, "hour": hour},
        {"$push": {"readings": {"at": at, "value": value}}, "$inc": {"count": 1}},
        upsert=True,
    )


def create_partial_unique_email_index(customers: Collection) -> str:
    """Make emails unique among the customers that have one."""
    return customers.create_index(
        "email", unique=True, partialFilterExpression={"email": {"$type": "string"}}
    )


def create_session_ttl_index(sessions: Collection) -> str:
    """Let MongoDB delete each session once its `expires_at` is in the past."""
    return sessions.create_index("expires_at", expireAfterSeconds=0)


def durable_orders(db: Database) -> Collection:
    """Return the orders collection with a majority, journaled write concern."""
    return db.get_collection("orders", write_concern=DURABLE)


def orders_total_in_snapshot(client: MongoClient, db: Database) -> dict[str, Any]:
    """Count the orders and sum their totals at one point in time, inside a transaction."""
    with (
        client.start_session() as session,
        session.start_transaction(read_concern=ReadConcern("snapshot"), write_concern=DURABLE),
    ):
        count = db.orders.count_documents({}, session=session)
        totals = list(
            db.orders.aggregate(
                [{"$group": {"_id": None, "cents": {"$sum": "$total_cents"}}}], session=session
            )
        )
    return {"orders": count, "total_cents": totals[0]["cents"] if totals else 0}


def main() -> None:
    from mongo_documents import make_mongo_client

    import course
    from course.sandbox import temporary_mongo_database

    settings = course.require("mongo")
    logging.basicConfig(level=logging.WARNING)
    with (
        make_mongo_client(settings.mongo_url) as client,
        temporary_mongo_database(client, prefix="mongo_patterns") as db,
    ):
        print(f"1. A 17 MB document: {insert_oversized_document(db)}")
        start = datetime(2025, 1, 1, tzinfo=UTC)
        create_bucket_index(db)
        for minute in range(180):
            record_reading(db, sensor="s1", at=start + timedelta(minutes=minute), value=minute)
        buckets = list(db.sensor_buckets.find({}, {"hour": 1, "count": 1, "_id": 0}))
        print(f"2. 180 readings, one a minute, in {len(buckets)} hourly buckets:"
              f" {[bucket['count'] for bucket in buckets]} readings each")  # fmt: skip
        create_partial_unique_email_index(db.customers)
        db.customers.insert_many([{"name": "No email 1"}, {"name": "No email 2"}])
        db.customers.insert_one({"name": "Ada", "email": "ada@example.com"})
        try:
            db.customers.insert_one({"name": "Impostor", "email": "ada@example.com"})
        except DuplicateKeyError:
            print("3. Two customers without email are fine; a second ada@example.com is refused")
        print(f"4. TTL index {create_session_ttl_index(db.sessions)!r}: MongoDB's TTL monitor")
        print("   deletes expired sessions about once a minute (not waited for here)")
        durable_orders(db).insert_one({"total_cents": 2500})
        print(f"5. Written with {DURABLE.document}; read in a snapshot transaction:"
              f" {orders_total_in_snapshot(client, db)}")  # fmt: skip
    print("Conclusion: keep documents bounded (bucket what grows), index only what the index")
    print("is for (partial, TTL), and ask for the write concern your data deserves.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
