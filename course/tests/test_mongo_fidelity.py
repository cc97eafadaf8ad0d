"""MongoDB fidelity probe: 26 checks of the behaviour the course's MongoDB lessons rely on.

Each test asserts what real MongoDB 8 does, as its manual documents it. In Docker mode they
all run against the official image. In embedded mode they run against SecantusDB, and the
checks for its known gaps are marked ``docker_only`` so they are skipped with a reason that
names the gap. docs/mongodb-fidelity.md lists every check and its embedded result.
"""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from bson.codec_options import CodecOptions
from bson.decimal128 import Decimal128
from pymongo import ASCENDING, DESCENDING, HASHED, TEXT, DeleteOne, InsertOne, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError, WriteError


def _stages(plan):
    """Every stage name in an explain plan tree, whatever its nesting."""
    if isinstance(plan, dict):
        if "stage" in plan:
            yield plan["stage"]
        for value in plan.values():
            yield from _stages(value)
    elif isinstance(plan, list):
        for item in plan:
            yield from _stages(item)


# --- documents and BSON types -------------------------------------------------------------


def test_insert_find_update_delete_round_trip(mongo_db):
    books = mongo_db.books
    book_id = books.insert_one({"title": "Dune", "year": 1965}).inserted_id
    assert books.find_one({"_id": book_id}) == {"_id": book_id, "title": "Dune", "year": 1965}
    assert books.update_one({"_id": book_id}, {"$set": {"year": 1966}}).modified_count == 1
    assert books.find_one({"_id": book_id})["year"] == 1966
    assert books.delete_one({"_id": book_id}).deleted_count == 1
    assert books.find_one({"_id": book_id}) is None


def test_booleans_and_none_stay_distinct_from_0_and_1(mongo_db):
    values = mongo_db.values
    values.insert_many([{"k": "true", "v": True}, {"k": "one", "v": 1}, {"k": "false", "v": False}])
    values.insert_many([{"k": "zero", "v": 0}, {"k": "null", "v": None}, {"k": "missing"}])

    def keys(query):
        return sorted(doc["k"] for doc in values.find(query))

    assert keys({"v": True}) == ["true"]
    assert keys({"v": 1}) == ["one"]
    assert keys({"v": False}) == ["false"]
    assert keys({"v": 0}) == ["zero"]
    assert keys({"v": None}) == ["missing", "null"]
    assert type(values.find_one({"k": "true"})["v"]) is bool
    assert type(values.find_one({"k": "one"})["v"]) is int


def test_timezone_aware_datetimes_round_trip_to_the_millisecond(mongo_db):
    events = mongo_db.get_collection("events", codec_options=CodecOptions(tz_aware=True))
    paris_summer = timezone(timedelta(hours=2))
    sent = datetime(2024, 6, 1, 12, 30, 45, 123456, tzinfo=paris_summer)
    events.insert_one({"_id": 1, "at": sent})
    back = events.find_one({"_id": 1})["at"]
    assert back == sent.replace(microsecond=123000)  # BSON dates keep milliseconds
    assert back.utcoffset() == timedelta(0)  # and are stored in UTC
    assert (
        events.count_documents({"at": {"$gt": datetime(2024, 6, 1, 10, 30, 45, tzinfo=UTC)}}) == 1
    )


def test_decimal128_values_round_trip_and_add_exactly(mongo_db):
    accounts = mongo_db.accounts
    accounts.insert_one(
        {
            "_id": 1,
            "balance": Decimal128("0.1"),
            "big": Decimal128("12345678901234567890.123456789"),
        }
    )
    accounts.update_one({"_id": 1}, {"$inc": {"balance": Decimal128("0.2")}})
    doc = accounts.find_one({"_id": 1})
    assert doc["balance"].to_decimal() == Decimal("0.3")  # a float would give 0.30000000000000004
    assert doc["big"].to_decimal() == Decimal("12345678901234567890.123456789")


# --- updates ------------------------------------------------------------------------------


def test_set_inc_push_and_add_to_set_work_on_dotted_nested_paths(mongo_db):
    users = mongo_db.users
    users.insert_one({"_id": 1, "profile": {"stats": {"logins": 1}, "tags": ["a"]}})
    users.update_one(
        {"_id": 1},
        {
            "$set": {"profile.address.city": "Lyon"},
            "$inc": {"profile.stats.logins": 2},
            "$push": {"profile.history": "login"},
            "$addToSet": {"profile.tags": {"$each": ["a", "b"]}},
        },
    )
    profile = users.find_one({"_id": 1})["profile"]
    assert profile["address"] == {"city": "Lyon"}
    assert profile["stats"]["logins"] == 3
    assert profile["history"] == ["login"]
    assert profile["tags"] == ["a", "b"]


def test_positional_and_array_filter_updates_change_only_the_matching_elements(mongo_db):
    carts = mongo_db.carts
    carts.insert_one(
        {
            "_id": 1,
            "items": [{"sku": "x", "qty": 1}, {"sku": "y", "qty": 5}, {"sku": "z", "qty": 9}],
        }
    )
    carts.update_one({"_id": 1, "items.sku": "y"}, {"$inc": {"items.$.qty": 10}})
    carts.update_one({"_id": 1}, {"$set": {"items.$[].checked": True}})
    carts.update_one(
        {"_id": 1},
        {"$set": {"items.$[big].flag": "bulk"}},
        array_filters=[{"big.qty": {"$gte": 9}}],
    )
    items = carts.find_one({"_id": 1})["items"]
    assert [item["qty"] for item in items] == [1, 15, 9]
    assert all(item["checked"] for item in items)
    assert [item.get("flag") for item in items] == [None, "bulk", "bulk"]


def test_upsert_inserts_once_and_find_one_and_update_returns_the_new_document(mongo_db):
    settings = mongo_db.settings
    created = settings.update_one({"name": "theme"}, {"$set": {"value": "dark"}}, upsert=True)
    assert created.matched_count == 0 and created.upserted_id is not None
    matched = settings.update_one({"name": "theme"}, {"$set": {"value": "light"}}, upsert=True)
    assert matched.matched_count == 1 and matched.upserted_id is None
    assert list(settings.find({}, {"_id": 0})) == [{"name": "theme", "value": "light"}]
    counter = {"_id": "order"}
    first = settings.find_one_and_update(
        counter, {"$inc": {"seq": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    after = settings.find_one_and_update(
        counter, {"$inc": {"seq": 1}}, return_document=ReturnDocument.AFTER
    )
    before = settings.find_one_and_update(
        counter, {"$inc": {"seq": 1}}
    )  # default: the document before
    assert (first["seq"], after["seq"], before["seq"]) == (1, 2, 2)


def test_unordered_bulk_write_reports_the_error_and_applies_the_rest(mongo_db):
    items = mongo_db.items
    items.insert_one({"_id": 1})
    requests = [
        InsertOne({"_id": 2}),
        InsertOne({"_id": 1}),
        InsertOne({"_id": 3}),
        DeleteOne({"_id": 2}),
    ]
    with pytest.raises(BulkWriteError) as caught:
        items.bulk_write(requests, ordered=False)
    details = caught.value.details
    assert [(e["index"], e["code"]) for e in details["writeErrors"]] == [(1, 11000)]
    assert (details["nInserted"], details["nRemoved"]) == (2, 1)
    assert sorted(doc["_id"] for doc in items.find()) == [1, 3]


# --- indexes ------------------------------------------------------------------------------


def test_unique_index_rejects_a_duplicate_and_ttl_index_keeps_its_expiry(mongo_db):
    accounts = mongo_db.accounts
    accounts.create_index("email", unique=True)
    accounts.insert_one({"email": "ada@example.com"})
    with pytest.raises(DuplicateKeyError) as caught:
        accounts.insert_one({"email": "ada@example.com"})
    assert caught.value.code == 11000
    assert accounts.count_documents({}) == 1
    accounts.create_index("last_seen", expireAfterSeconds=3600, name="expire_idle")
    assert accounts.index_information()["expire_idle"]["expireAfterSeconds"] == 3600


def test_compound_index_is_used_by_the_winning_plan(mongo_db):
    orders = mongo_db.orders
    orders.insert_many([{"customer": i % 50, "day": i % 30, "total": i} for i in range(2_000)])
    orders.create_index([("customer", ASCENDING), ("day", DESCENDING)], name="customer_day")
    plan = orders.find({"customer": 7, "day": {"$gte": 10}}).explain()["queryPlanner"][
        "winningPlan"
    ]
    assert "IXSCAN" in set(_stages(plan))
    assert "COLLSCAN" not in set(_stages(plan))


@pytest.mark.docker_only(reason="SecantusDB (embedded MongoDB) has no text indexes")
def test_text_index_finds_documents_by_word(mongo_db):
    posts = mongo_db.posts
    posts.insert_many(
        [
            {"body": "Brewing coffee at home"},
            {"body": "Tea ceremonies"},
            {"body": "Coffees of Kenya"},
        ]
    )
    posts.create_index([("body", TEXT)])
    found = sorted(doc["body"] for doc in posts.find({"$text": {"$search": "coffee"}}))
    assert found == ["Brewing coffee at home", "Coffees of Kenya"]  # stemmed, case-insensitive


@pytest.mark.docker_only(reason="SecantusDB (embedded MongoDB) has no hashed indexes")
def test_hashed_index_is_created_and_used_for_equality(mongo_db):
    users = mongo_db.users
    users.insert_many([{"user_id": i} for i in range(200)])
    users.create_index([("user_id", HASHED)], name="user_id_hashed")
    assert users.index_information()["user_id_hashed"]["key"] == [("user_id", "hashed")]
    assert "IXSCAN" in set(
        _stages(users.find({"user_id": 42}).explain()["queryPlanner"]["winningPlan"])
    )


# --- queries and cursors ------------------------------------------------------------------


def test_find_applies_projection_sort_skip_and_limit(mongo_db):
    people = mongo_db.people
    people.insert_many([{"name": f"p{i}", "age": i, "secret": "x"} for i in range(10)])
    page = (
        people.find({"age": {"$gte": 2}}, {"_id": 0, "name": 1, "age": 1})
        .sort("age", DESCENDING)
        .skip(2)
        .limit(3)
    )
    assert list(page) == [
        {"name": "p7", "age": 7},
        {"name": "p6", "age": 6},
        {"name": "p5", "age": 5},
    ]


def test_cursor_fetches_a_large_result_in_several_get_more_batches(mongo_db):
    mongo_db.big.insert_many([{"n": i} for i in range(1_000)])
    reply = mongo_db.command("find", "big", filter={}, batchSize=100)
    seen, cursor_id, get_mores = len(reply["cursor"]["firstBatch"]), reply["cursor"]["id"], 0
    while cursor_id:
        reply = mongo_db.command("getMore", cursor_id, collection="big", batchSize=100)
        seen, cursor_id, get_mores = (
            seen + len(reply["cursor"]["nextBatch"]),
            reply["cursor"]["id"],
            get_mores + 1,
        )
    assert seen == 1_000
    assert get_mores >= 9  # 100 in the first batch, then 100 per getMore
    assert len({doc["n"] for doc in mongo_db.big.find().batch_size(100)}) == 1_000


def test_distinct_and_count_documents_respect_the_filter(mongo_db):
    cities = mongo_db.cities
    cities.insert_many(
        [{"country": c, "pop": p} for c, p in [("FR", 3), ("FR", 1), ("DE", 4), ("IT", 2)]]
    )
    assert sorted(cities.distinct("country")) == ["DE", "FR", "IT"]
    assert sorted(cities.distinct("country", {"pop": {"$gte": 2}})) == ["DE", "FR", "IT"]
    assert sorted(cities.distinct("country", {"pop": {"$gte": 3}})) == ["DE", "FR"]
    assert cities.count_documents({"country": "FR"}) == 2
    assert cities.count_documents({"pop": {"$gt": 10}}) == 0


@pytest.mark.docker_only(
    reason="SecantusDB (embedded MongoDB) has no server-side JavaScript ($where, $function)"
)
def test_where_runs_server_side_javascript(mongo_db):
    mongo_db.pairs.insert_many([{"a": 1, "b": 2}, {"a": 5, "b": 3}, {"a": 4, "b": 4}])
    assert [doc["a"] for doc in mongo_db.pairs.find({"$where": "this.a > this.b"})] == [5]


# --- aggregation --------------------------------------------------------------------------


def test_aggregation_unwinds_matches_groups_and_sorts(mongo_db):
    mongo_db.sales.insert_many(
        [
            {"store": "A", "lines": [{"sku": "pen", "qty": 2}, {"sku": "ink", "qty": 1}]},
            {"store": "B", "lines": [{"sku": "pen", "qty": 5}]},
            {"store": "A", "lines": [{"sku": "pad", "qty": 3}, {"sku": "pen", "qty": 1}]},
        ]
    )
    pipeline = [
        {"$unwind": "$lines"},
        {"$match": {"lines.sku": {"$ne": "ink"}}},
        {
            "$group": {
                "_id": "$lines.sku",
                "qty": {"$sum": "$lines.qty"},
                "stores": {"$addToSet": "$store"},
            }
        },
        {"$sort": {"qty": -1}},
    ]
    result = [
        (row["_id"], row["qty"], sorted(row["stores"]))
        for row in mongo_db.sales.aggregate(pipeline)
    ]
    assert result == [("pen", 8, ["A", "B"]), ("pad", 3, ["A"])]


def test_lookup_joins_another_collection_and_project_computes_fields(mongo_db):
    mongo_db.customers.insert_many([{"_id": 1, "name": "ada"}, {"_id": 2, "name": "grace"}])
    mongo_db.orders.insert_many(
        [
            {"_id": 10, "customer_id": 2, "price": Decimal128("2.50"), "qty": 4},
            {"_id": 11, "customer_id": 1, "price": Decimal128("1.25"), "qty": 1},
            {"_id": 12, "customer_id": 3, "price": Decimal128("9.99"), "qty": 0},
        ]
    )
    pipeline = [
        {
            "$lookup": {
                "from": "customers",
                "localField": "customer_id",
                "foreignField": "_id",
                "as": "customer",
            }
        },
        {"$set": {"customer": {"$first": "$customer"}}},  # the array of matches -> its first match
        {
            "$project": {
                "who": {"$toUpper": {"$ifNull": ["$customer.name", "unknown"]}},
                "total": {"$multiply": ["$price", "$qty"]},
                "bulk": {"$gte": ["$qty", 3]},
            }
        },
        {"$sort": {"_id": 1}},
    ]
    assert list(mongo_db.orders.aggregate(pipeline)) == [
        {"_id": 10, "who": "GRACE", "total": Decimal128("10.00"), "bulk": True},
        {"_id": 11, "who": "ADA", "total": Decimal128("1.25"), "bulk": False},
        {"_id": 12, "who": "UNKNOWN", "total": Decimal128("0.00"), "bulk": False},
    ]


@pytest.mark.docker_only(
    reason="SecantusDB (embedded MongoDB) does not traverse arrays in aggregation field paths"
)
def test_aggregation_field_path_through_an_array_collects_every_elements_value(mongo_db):
    mongo_db.baskets.insert_one(
        {"_id": 1, "lines": [{"sku": "pen", "qty": 2}, {"sku": "ink", "qty": 3}]}
    )
    pipeline = [{"$project": {"skus": "$lines.sku", "qty": {"$sum": "$lines.qty"}}}]
    assert list(mongo_db.baskets.aggregate(pipeline)) == [
        {"_id": 1, "skus": ["pen", "ink"], "qty": 5}
    ]


def test_facet_runs_a_bucket_and_a_count_over_the_same_input(mongo_db):
    mongo_db.products.insert_many([{"price": p} for p in [5, 12, 18, 25, 40, 90]])
    pipeline = [
        {
            "$facet": {
                "by_price": [
                    {
                        "$bucket": {
                            "groupBy": "$price",
                            "boundaries": [0, 10, 50],
                            "default": "other",
                        }
                    }
                ],
                "total": [{"$count": "n"}],
            }
        }
    ]
    [facets] = mongo_db.products.aggregate(pipeline)
    assert facets["by_price"] == [
        {"_id": 0, "count": 1},
        {"_id": 10, "count": 4},
        {"_id": "other", "count": 1},
    ]
    assert facets["total"] == [{"n": 6}]


# --- validation, transactions, change streams, administration ------------------------------


def test_json_schema_validator_rejects_an_invalid_insert(mongo_db):
    schema = {
        "bsonType": "object",
        "required": ["email"],
        "properties": {"age": {"bsonType": "int", "minimum": 0}},
    }
    members = mongo_db.create_collection("members", validator={"$jsonSchema": schema})
    members.insert_one({"email": "ada@example.com", "age": 36})
    with pytest.raises(WriteError) as caught:
        members.insert_one({"age": -1})
    assert caught.value.code == 121  # DocumentValidationFailure
    assert members.count_documents({}) == 1


def test_multi_document_transaction_commits_all_its_writes_together(mongo_client, mongo_db):
    accounts, ledger = mongo_db.create_collection("accounts"), mongo_db.create_collection("ledger")
    accounts.insert_many([{"_id": "a", "balance": 100}, {"_id": "b", "balance": 0}])
    with mongo_client.start_session() as session, session.start_transaction():
        accounts.update_one({"_id": "a"}, {"$inc": {"balance": -30}}, session=session)
        accounts.update_one({"_id": "b"}, {"$inc": {"balance": 30}}, session=session)
        ledger.insert_one({"from": "a", "to": "b", "amount": 30}, session=session)
        assert ledger.count_documents({}) == 0  # not visible outside the transaction yet
    assert {doc["_id"]: doc["balance"] for doc in accounts.find()} == {"a": 70, "b": 30}
    assert ledger.count_documents({}) == 1


def test_aborted_transaction_leaves_nothing_behind(mongo_client, mongo_db):
    accounts, ledger = mongo_db.create_collection("accounts"), mongo_db.create_collection("ledger")
    accounts.insert_one({"_id": "a", "balance": 100})
    with mongo_client.start_session() as session:
        session.start_transaction()
        accounts.update_one({"_id": "a"}, {"$inc": {"balance": -30}}, session=session)
        ledger.insert_one({"from": "a", "amount": 30}, session=session)
        session.abort_transaction()
    assert accounts.find_one({"_id": "a"})["balance"] == 100
    assert ledger.count_documents({}) == 0


def test_change_stream_sees_an_insert(mongo_db):
    orders = mongo_db.create_collection("orders")
    with orders.watch(max_await_time_ms=500) as stream:
        orders.insert_one({"_id": 1, "item": "pen"})
        change = None
        for _ in range(20):  # each try waits at most max_await_time_ms on the server
            change = stream.try_next()
            if change is not None:
                break
    assert change is not None
    assert change["operationType"] == "insert"
    assert change["fullDocument"] == {"_id": 1, "item": "pen"}


def test_coll_stats_reports_count_and_size(mongo_db):
    mongo_db.logs.insert_many([{"line": "x" * 100} for _ in range(10)])
    stats = mongo_db.command("collStats", "logs")
    assert stats["count"] == 10
    assert stats["size"] > 1_000


@pytest.mark.docker_only(
    reason="SecantusDB (embedded MongoDB) does not enforce a capped collection's max"
)
def test_capped_collection_keeps_only_the_newest_max_documents(mongo_db):
    recent = mongo_db.create_collection("recent", capped=True, size=4096, max=3)
    recent.insert_many([{"n": i} for i in range(5)])
    assert [doc["n"] for doc in recent.find()] == [2, 3, 4]  # insertion order, oldest removed
