"""Redis beside Memcached: what each offers, and the memory each spends on the same keys.

`COMPARISON` is the table part 3c explains. `memory_per_key` stores the same keys and values
in a fresh Redis and a fresh Memcached (private servers, so nothing else's keys count) and
reads each server's own accounting. Redis's `used_memory` (INFO memory) is everything its
allocator handed out, its key table included. Memcached's `bytes` is the items' own size
(key, value, a header), `total_malloced` the slab pages it took for them, and `hash_bytes`
its hash table (the key table, apart: 512 KiB, doubled by a background thread once the items
outnumber it by half), read once that thread is done. The embedded "Redis" is Valkey (the
label says which server answered). `benchmark_memory` runs it with 100,000 keys for `make
bench`; the tests use a few thousand, where the fixed 1 MB slab page and the hash table
dominate.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from pymemcache.client.base import Client
from redis_structures import server_label

import course
from course.services.availability import embedded_memcached_missing
from course.services.private import private_server

logger = logging.getLogger(__name__)

# (what, Redis, Memcached)
COMPARISON = [
    (
        "values",
        "strings, hashes, lists, sets, sorted sets, streams",
        "opaque bytes, 1 MB by default",
    ),
    ("atomic updates", "MULTI/EXEC, WATCH, Lua scripts, INCR", "cas, add, incr/decr, append"),
    ("persistence", "RDB snapshots and the AOF log", "none: memory only"),
    (
        "memory full",
        "maxmemory-policy (noeviction, allkeys-lru...)",
        "evicts LRU items (-M refuses)",
    ),
    ("expiry", "per key, in milliseconds", "whole seconds; over 30 days: a Unix time"),
    ("scaling out", "replicas, Sentinel, Redis Cluster", "none: the client hashes keys"),
    ("threads", "one thread runs the commands", "many worker threads"),
]

BATCH = 1_000  # keys per pipeline or set_many: a round trip per key would take minutes


def key_names(count: int) -> list[str]:
    """`session:000000` ... : the same keys for both servers."""
    return [f"session:{number:06d}" for number in range(count)]


def session_value(number: int) -> bytes:
    """A small JSON session, about 40 bytes, typical of a cached value."""
    return b'{"user_id":%d,"cart":[],"theme":"dark"}' % number


def fill_redis(client: redis.Redis, keys: list[str]) -> None:
    """Store every key in Redis, a pipeline per batch."""
    for start in range(0, len(keys), BATCH):
        with client.pipeline(transaction=False) as pipe:
            for number, key in enumerate(keys[start : start + BATCH], start):
                pipe.set(key, session_value(number))
            pipe.execute()


def fill_memcached(client: Client, keys: list[str]) -> None:
    """Store every key in Memcached, a `set_many` per batch."""
    for start in range(0, len(keys), BATCH):
        batch = keys[start : start + BATCH]
        failed = client.set_many({key: session_value(n) for n, key in enumerate(batch, start)})
        if failed:
            raise RuntimeError(f"Memcached did not store {len(failed)} keys, e.g. {failed[0]}")


def memcached_usage(client: Client, *, wait_seconds: float = 10.0) -> tuple[int, int, int]:
    """Return Memcached's (item bytes, slab bytes malloced, hash table bytes).

    The hash table doubles in a background thread once the items outnumber its buckets by
    half: wait until that growth is done, or not due.
    """
    deadline = time.monotonic() + wait_seconds
    stats = client.stats()
    while growing(stats) and time.monotonic() < deadline:
        time.sleep(0.05)
        stats = client.stats()
    slabs = int(client.stats("slabs")[b"total_malloced"])
    return int(stats[b"bytes"]), slabs, int(stats[b"hash_bytes"])


def growing(stats: dict[bytes, Any]) -> bool:
    """Whether Memcached's hash table is expanding, or about to (memcached's assoc.c rule)."""
    due = int(stats[b"curr_items"]) > 1.5 * 2 ** int(stats[b"hash_power_level"])
    return due or bool(stats[b"hash_is_expanding"])


@contextmanager
def fresh_servers() -> Iterator[tuple[redis.Redis, Client]]:
    """A private, empty Redis and Memcached, each gone with its data after the block."""
    with private_server("redis") as redis_server, private_server("memcached") as memcached:
        redis_client = redis.Redis.from_url(redis_server.url)
        memcached_client = Client(("127.0.0.1", memcached.port), default_noreply=False)
        try:
            yield redis_client, memcached_client
        finally:
            redis_client.close()
            memcached_client.close()


def memory_per_key(count: int) -> dict[str, Any]:
    """Store `count` identical keys in fresh servers; return each server's bytes per key."""
    keys = key_names(count)
    payload = sum(len(key) + len(session_value(number)) for number, key in enumerate(keys))
    with fresh_servers() as (redis_client, memcached_client):
        redis_before = redis_client.info("memory")["used_memory"]
        items_before, slabs_before, _ = memcached_usage(memcached_client)
        fill_redis(redis_client, keys)
        fill_memcached(memcached_client, keys)
        redis_after = redis_client.info("memory")["used_memory"]
        items_after, slabs_after, hash_table = memcached_usage(memcached_client)
        stored = (redis_client.dbsize(), int(memcached_client.stats()[b"curr_items"]))
        redis_label = server_label(redis_client)
    slabs_per_key = (slabs_after - slabs_before) / count
    return {
        "keys": count,
        "stored": stored,  # (Redis, Memcached): every key really is there
        "redis_label": redis_label,
        "payload_per_key": payload / count,
        "redis_per_key": (redis_after - redis_before) / count,
        "memcached_items_per_key": (items_after - items_before) / count,
        "memcached_slabs_per_key": slabs_per_key,
        # the whole table, as Redis's used_memory holds its whole key table
        "memcached_total_per_key": slabs_per_key + hash_table / count,
    }


def benchmark_memory(settings) -> list[dict[str, Any]]:
    """Return the memory per key of 100,000 sessions in Redis and in Memcached."""
    reason = embedded_memcached_missing()
    if reason:  # no figure rather than a failed `make bench` for the whole lesson
        logger.warning("memory per key not measured: %s", reason)
        return []
    figures = memory_per_key(100_000)
    payload = f"{figures['payload_per_key']:.0f} bytes of key and value"
    return [
        {
            "name": f"memory per key, 100,000 sessions ({payload})",
            "baseline_label": f"{figures['redis_label']} used_memory",
            "baseline": round(figures["redis_per_key"], 1),
            "measured_label": "Memcached slab pages and hash table",
            "measured": round(figures["memcached_total_per_key"], 1),
            "unit": "bytes",
            "ratio": round(figures["redis_per_key"] / figures["memcached_total_per_key"], 2),
        }
    ]


def main() -> None:
    reason = embedded_memcached_missing()
    if reason:
        course.skip_script(f"this script starts Memcached servers of its own: {reason}")
    print("1. Redis and Memcached, side by side:")
    print(f"   {'':<15} {'Redis':<52} Memcached")
    for what, in_redis, in_memcached in COMPARISON:
        print(f"   {what:<15} {in_redis:<52} {in_memcached}")
    count = 100_000
    print(f"2. The same {count:,} sessions in a fresh Redis and a fresh Memcached:")
    figures = memory_per_key(count)
    print(f"   stored (Redis, Memcached): {figures['stored']}")
    print(f"   key and value: {figures['payload_per_key']:.0f} bytes per session")
    print(f"   {figures['redis_label']} used_memory: {figures['redis_per_key']:9.1f} bytes per key")
    print(f"   Memcached items (bytes):  {figures['memcached_items_per_key']:6.1f} bytes per key")
    print(f"   Memcached slab pages:     {figures['memcached_slabs_per_key']:6.1f} bytes per key")
    print(f"   ... and its hash table:   {figures['memcached_total_per_key']:6.1f} bytes per key")
    print("   (used_memory counts the key table; Memcached keeps its own, hash_bytes, apart)")
    print(
        "Conclusion: neither stores a value for free; the overhead per key is of the same order,"
        " so pick by features (structures, persistence, eviction), not by memory."
    )


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
