"""Redis and Memcached store the same keys; each server's own accounting gives bytes per key."""

from memcached_compare import COMPARISON, benchmark_memory, memory_per_key


def test_both_servers_store_every_key_and_spend_more_than_the_payload(memcached_client):
    figures = memory_per_key(2_000)

    assert figures["stored"] == (2_000, 2_000)
    assert figures["redis_per_key"] > figures["payload_per_key"]
    # an item is its key, value and a header of at least 48 bytes (memcached's -n default)
    assert figures["memcached_items_per_key"] >= figures["payload_per_key"] + 48
    assert figures["memcached_slabs_per_key"] >= figures["memcached_items_per_key"]


def test_the_comparison_names_the_same_rows_for_both():
    assert all(len(row) == 3 and all(row) for row in COMPARISON)
    assert {"persistence", "memory full", "values"} <= {row[0] for row in COMPARISON}


def test_the_benchmark_reports_one_figure_with_its_baseline(memcached_client, monkeypatch):
    import memcached_compare

    monkeypatch.setattr(memcached_compare, "memory_per_key", lambda count: memory_per_key(500))

    (figure,) = benchmark_memory(settings=None)

    assert figure["unit"] == "bytes" and figure["baseline"] > 0 and figure["measured"] > 0
