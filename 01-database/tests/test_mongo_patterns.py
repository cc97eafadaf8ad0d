"""The 16 MB limit, the bucket pattern, partial and TTL indexes, and write/read concerns."""

from datetime import UTC, datetime, timedelta

import pymongo
import pytest
from mongo_documents import make_mongo_client
from mongo_patterns import (
    DURABLE,
    create_bucket_index,
    create_partial_unique_email_index,
    create_session_ttl_index,
    durable_orders,
    insert_oversized_document,
    orders_total_in_snapshot,
    record_reading,
)
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError
from pymongo.monitoring import CommandListener

START = datetime(2025, 1, 1, tzinfo=UTC)


def test_a_document_over_16_mb_is_refused_and_nothing_is_stored(mongo_db):
    refusal = insert_oversized_document(mongo_db)

    assert refusal.startswith("DocumentTooLarge")
    assert mongo_db.sensor_readings.count_documents({}) == 0


def test_readings_are_bucketed_one_document_per_sensor_per_hour(mongo_db):
    create_bucket_index(mongo_db)
    for minute in range(150):
        record_reading(mongo_db, sensor="s1", at=START + timedelta(minutes=minute), value=minute)
    record_reading(mongo_db, sensor="s2", at=START, value=1.0)

    buckets = list(mongo_db.sensor_buckets.find().sort([("sensor", 1), ("hour", 1)]))

    assert [(b["sensor"], b["count"], len(b["readings"])) for b in buckets] == [
        ("s1", 60, 60),
        ("s1", 60, 60),
        ("s1", 30, 30),
        ("s2", 1, 1),
    ]


def test_the_bucket_index_makes_sensor_and_hour_unique(mongo_db):
    create_bucket_index(mongo_db)
    record_reading(mongo_db, sensor="s1", at=START, value=1.0)

    with pytest.raises(DuplicateKeyError):
        mongo_db.sensor_buckets.insert_one({"sensor": "s1", "hour": START, "readings": []})


def test_a_partial_unique_index_allows_many_missing_emails_but_no_duplicates(mongo_db):
    create_partial_unique_email_index(mongo_db.customers)
    # no email, or an empty form field (null): all allowed. A sparse index would refuse the
    # second null, which it indexes; the partial one indexes strings only
    mongo_db.customers.insert_many(
        [{"name": "A"}, {"name": "B"}, {"name": "C", "email": None}, {"name": "D", "email": None}]
    )
    mongo_db.customers.insert_one({"name": "Ada", "email": "ada@example.com"})

    with pytest.raises(DuplicateKeyError):
        mongo_db.customers.insert_one({"name": "Impostor", "email": "ada@example.com"})

    assert mongo_db.customers.count_documents({}) == 5


def test_the_ttl_index_expires_sessions_at_their_own_time(mongo_db):
    name = create_session_ttl_index(mongo_db.sessions)

    index = mongo_db.sessions.index_information()[name]

    assert index["key"] == [("expires_at", 1)]
    assert index["expireAfterSeconds"] == 0  # each document's expires_at is its deadline


def test_durable_orders_ask_for_a_majority_journaled_acknowledgement(mongo_db):
    orders = durable_orders(mongo_db)
    orders.insert_one({"total_cents": 2500})

    assert orders.write_concern.document == {"w": "majority", "j": True}
    assert mongo_db.orders.count_documents({}) == 1


def test_the_count_and_the_sum_come_from_one_point_in_time(mongo_client, mongo_db, monkeypatch):
    mongo_db.orders.insert_many([{"total_cents": 100}, {"total_cents": 250}])
    count_documents = Collection.count_documents

    def count_then_another_order_lands(collection, *args, **kwargs):
        counted = count_documents(collection, *args, **kwargs)
        monkeypatch.setattr(Collection, "count_documents", count_documents)  # once
        mongo_db.orders.insert_one({"total_cents": 1000})  # outside the transaction, committed
        return counted

    monkeypatch.setattr(Collection, "count_documents", count_then_another_order_lands)

    # outside one transaction the sum would see the order that landed after the count: 1350
    assert orders_total_in_snapshot(mongo_client, mongo_db) == {"orders": 2, "total_cents": 350}
    assert mongo_db.orders.count_documents({}) == 3


class CommandsSent(CommandListener):
    """Every command a MongoClient sends, as the server receives it."""

    def __init__(self) -> None:
        self.commands = []

    def started(self, event):
        self.commands.append(event.command)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def test_the_snapshot_transaction_asks_for_a_snapshot_read_and_a_majority_commit(
    settings, mongo_db
):
    # the transaction alone reads one point in time here; `snapshot` is what MongoDB needs to
    # promise it is majority-committed data, so the read concern must reach the server
    sent = CommandsSent()
    with pymongo.MongoClient(settings.mongo_url, event_listeners=[sent]) as client:
        orders_total_in_snapshot(client, client[mongo_db.name])

    first_in_transaction = next(c for c in sent.commands if c.get("startTransaction"))
    assert first_in_transaction["readConcern"] == {"level": "snapshot"}
    # and the commit waits for a majority, as the durable writes do
    commit = next(c for c in sent.commands if "commitTransaction" in c)
    assert commit["writeConcern"] == {"w": "majority", "j": True}


def test_the_lessons_client_sends_the_write_concern_the_script_prints(settings, mongo_db):
    # with the lesson's own client (timeoutMS set) what DURABLE says is what reaches the server,
    # for a durable insert and for the snapshot transaction's commit
    sent = CommandsSent()
    with make_mongo_client(settings.mongo_url, event_listeners=[sent]) as client:
        durable_orders(client[mongo_db.name]).insert_one({"total_cents": 2500})
        orders_total_in_snapshot(client, client[mongo_db.name])

    insert = next(c for c in sent.commands if "insert" in c)
    commit = next(c for c in sent.commands if "commitTransaction" in c)
    assert insert["writeConcern"] == commit["writeConcern"] == DURABLE.document
    assert DURABLE.document == {"w": "majority", "j": True}
    # the wait for the majority is bounded by the client's timeoutMS, sent as maxTimeMS
    assert 0 < insert["maxTimeMS"] <= 10_000
