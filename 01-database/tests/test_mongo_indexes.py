"""Indexes: unique emails, and a compound index that turns a COLLSCAN into an IXSCAN."""

import mongo_indexes
import pytest
from mongo_indexes import (
    TIMED_RUNS,
    WARM_UP_RUNS,
    EmailAlreadyRegistered,
    benchmark_index,
    create_customer_email_index,
    create_orders_by_customer_index,
    insert_sample_orders,
    measure_index_speedup,
    plan_stages,
    recent_orders_query,
    register_customer,
)
from pymongo.errors import DuplicateKeyError


def test_a_unique_index_refuses_a_second_customer_with_the_same_email(mongo_db):
    create_customer_email_index(mongo_db)
    register_customer(mongo_db, name="Ada", email="ada@example.com")

    with pytest.raises(EmailAlreadyRegistered) as refused:
        register_customer(mongo_db, name="Impostor", email="ada@example.com")

    assert isinstance(refused.value.__cause__, DuplicateKeyError)
    assert refused.value.__cause__.code == 11000
    assert mongo_db.customers.count_documents({}) == 1


def test_without_the_unique_index_the_duplicate_email_is_stored(mongo_db):
    register_customer(mongo_db, name="Ada", email="ada@example.com")
    register_customer(mongo_db, name="Impostor", email="ada@example.com")

    assert mongo_db.customers.count_documents({"email": "ada@example.com"}) == 2


def test_the_query_scans_the_collection_until_the_compound_index_exists(mongo_db):
    # the benchmark's own run, tiny: its baseline reports a COLLSCAN and its measured side
    # the index (the next test checks the plan while each is timed; times are never asserted)
    measured = measure_index_speedup(mongo_db, customers=20, per_customer=5)

    assert (measured["customers"], measured["orders"]) == (20, 100)
    assert mongo_db.orders.count_documents({}) == 100
    before, after = measured["before"], measured["after"]
    assert "COLLSCAN" in before and "IXSCAN" not in before
    assert "IXSCAN" in after and "COLLSCAN" not in after
    assert measured["without_ms"] > 0 and measured["with_ms"] > 0


def test_each_side_is_timed_on_the_plan_it_reports(mongo_db, monkeypatch):
    # the plans above are read after the timed runs: check the plan WHILE each side is timed
    filter_, sort = recent_orders_query(19)
    timed_plans, real_median_ms = [], mongo_indexes.median_ms

    def median_ms_reading_the_plan(query, **options):
        timed_plans.append(plan_stages(mongo_db.orders, filter_, sort))
        return real_median_ms(query, **options)

    monkeypatch.setattr(mongo_indexes, "median_ms", median_ms_reading_the_plan)

    measured = measure_index_speedup(mongo_db, customers=20, per_customer=5)

    assert timed_plans == [measured["before"], measured["after"]]
    assert "COLLSCAN" in timed_plans[0] and "IXSCAN" in timed_plans[1]


@pytest.mark.docker_only(
    reason="SecantusDB (embedded MongoDB) adds a blocking SORT stage even when the index "
    "already returns the documents in the requested order"
)
def test_the_compound_index_also_provides_the_sort_order(mongo_db):
    insert_sample_orders(mongo_db, customers=20, orders_per_customer=5)
    create_orders_by_customer_index(mongo_db)
    filter_, sort = recent_orders_query(7)

    assert plan_stages(mongo_db.orders, filter_, sort) == ["FETCH", "IXSCAN"]


def test_the_indexed_query_returns_a_customers_orders_newest_first(mongo_db):
    insert_sample_orders(mongo_db, customers=3, orders_per_customer=4)
    create_orders_by_customer_index(mongo_db)
    filter_, sort = recent_orders_query(1)

    found = list(mongo_db.orders.find(filter_).sort(sort))

    assert [order["total_cents"] for order in found] == [300, 200, 100, 0]


def test_the_compound_index_holds_the_customer_then_the_date_newest_first(mongo_db):
    # the plan above cannot tell (embedded mode always adds a SORT): an index on customer_id
    # alone would also turn the COLLSCAN into an IXSCAN, and leave the sort to memory
    name = create_orders_by_customer_index(mongo_db)

    assert mongo_db.orders.index_information()[name]["key"] == [
        ("customer_id", 1),
        ("placed_at", -1),
    ]


def test_both_sides_are_timed_over_the_same_runs_after_the_same_warm_up(mongo_db, monkeypatch):
    timed = []
    monkeypatch.setattr(
        mongo_indexes, "median_ms", lambda query, **options: timed.append(options) or 1.0
    )

    measure_index_speedup(mongo_db, customers=3, per_customer=2)

    assert timed == [{"repeat": TIMED_RUNS, "warm_up": WARM_UP_RUNS}] * 2


def test_the_benchmark_ratio_is_how_many_times_faster_the_index_is(settings, monkeypatch):
    figures = {"before": [], "after": [], "without_ms": 8.0, "with_ms": 0.5}
    figures |= {"customers": 30, "orders": 300}
    monkeypatch.setattr(mongo_indexes, "measure_index_speedup", lambda _db: figures)

    [row] = benchmark_index(settings)

    assert (row["baseline"], row["measured"], row["ratio"]) == (8.0, 0.5, 16.0)
    # the name says what was searched (the measured data's own counts) and how it was timed
    assert row["name"].endswith(
        f"among 300 orders of 30 customers, median of {TIMED_RUNS} after {WARM_UP_RUNS} warm-ups"
    )
