"""The ESR rule: Equality-Sort-Range order needs no blocking SORT; Equality-Range-Sort does."""

import pytest
from mongo_esr import compare_index_orders, main
from mongo_indexes import insert_sample_orders


@pytest.fixture
def compared(mongo_db):
    insert_sample_orders(mongo_db, customers=8, orders_per_customer=10)
    return compare_index_orders(mongo_db)


def test_each_index_order_is_used_and_returns_the_same_orders_newest_first(compared):
    esr, ers = compared["Equality-Sort-Range"], compared["Equality-Range-Sort"]

    assert esr["index"] == "customer_id_1_placed_at_-1_total_cents_1"
    assert ers["index"] == "customer_id_1_total_cents_1_placed_at_-1"
    assert "IXSCAN" in esr["stages"] and "IXSCAN" in ers["stages"]
    assert (esr["scanned"], ers["scanned"]) == (esr["index"], ers["index"])  # hint() obeyed
    # both fetch only the 7 matches (total_cents is in both indexes, checked on the keys);
    # ESR's range comes after its sort field, so it may walk the customer's other keys too
    # (SecantusDB examines 7 either way)
    assert esr["examined"]["docs"] == ers["examined"]["docs"] == 7
    assert esr["examined"]["keys"] >= ers["examined"]["keys"] >= 7
    assert esr["placed_at"] == ers["placed_at"] == sorted(esr["placed_at"], reverse=True)
    assert len(esr["placed_at"]) == 7  # totals 300..900 of customer 7's ten orders


@pytest.mark.docker_only(
    reason="SecantusDB (embedded MongoDB) adds a blocking SORT stage even when the index "
    "already returns the documents in the requested order"
)
def test_only_the_equality_range_sort_order_needs_a_blocking_sort(compared):
    assert compared["Equality-Sort-Range"]["stages"] == ["FETCH", "IXSCAN"]
    assert "SORT" in compared["Equality-Range-Sort"]["stages"]


def test_the_demo_prints_what_each_index_examined_and_a_conclusion_true_of_it(capsys):
    main()

    out = capsys.readouterr().out
    assert out.count(" keys, ") == 2 and "documents" in out
    if out.count("SORT <- FETCH <- IXSCAN") == 2:  # SecantusDB: both plans sort
        assert "on real MongoDB" in out and "shows no difference" in out
    else:  # real MongoDB: the ESR plan needs no SORT, and the conclusion says so of this run
        assert "no blocking in-memory SORT is needed" in out
