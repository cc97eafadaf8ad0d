"""Redis and Memcached store the same keys; each server's own accounting gives bytes per key."""

import memcached_compare
from memcached_compare import COMPARISON, benchmark_memory, memory_per_key

from course.bench import validate_figures


def test_both_servers_store_every_key_and_the_benchmark_reports_bytes_per_key(
    memcached_client, monkeypatch
):
    figures = {}  # what the benchmark measured: 2,000 keys here, 100,000 in `make bench`
    monkeypatch.setattr(
        memcached_compare,
        "memory_per_key",
        lambda count: figures.update(memory_per_key(2_000)) or figures,
    )

    (figure,) = validate_figures(benchmark_memory(settings=None), "memory")

    assert figures["stored"] == (2_000, 2_000)
    assert figures["redis_per_key"] > figures["payload_per_key"]
    # an item is its key, value and an item header of 48 bytes (plus 8 for CAS) on 64-bit
    assert figures["memcached_items_per_key"] >= figures["payload_per_key"] + 48
    assert figures["memcached_slabs_per_key"] >= figures["memcached_items_per_key"]
    # its hash table (512 KiB at least) is counted too, as Redis's key table is in used_memory
    assert (
        figures["memcached_total_per_key"] >= figures["memcached_slabs_per_key"] + 524_288 / 2_000
    )
    assert figures["redis_label"].startswith(("Valkey ", "Redis "))
    assert (figure["unit"], figure["baseline"], figure["measured"]) == (
        "bytes",
        round(figures["redis_per_key"], 1),
        round(figures["memcached_total_per_key"], 1),
    )


def test_the_comparison_names_the_same_rows_for_both():
    assert all(len(row) == 3 and all(row) for row in COMPARISON)
    assert {"persistence", "memory full", "values"} <= {row[0] for row in COMPARISON}
