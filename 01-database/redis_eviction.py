"""What a full Redis does: refuse writes (`noeviction`) or evict keys (`allkeys-lru`, `-lfu`).

Run `python 01-database/redis_eviction.py`. It starts a private Redis of its own with
`--maxmemory 2mb` (never the shared one: filling that would evict other work). With
`noeviction` a write past the limit fails with redis-py's `OutOfMemoryError` while reads and
deletes still work. With `allkeys-lru` and then `allkeys-lfu` the same writes all succeed,
`INFO stats` counts the keys Redis evicted for them, and the hot keys the application keeps
reading survive both (they are written before the never-read ones, so only the reads can save
them). What tells the two apart: keys read thirty times early on and then left idle survive
LFU (they are frequent) but not LRU (they are not recent). The policy is a runtime setting
(`CONFIG SET maxmemory-policy`), so one server shows all three.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass

import redis

from course.services.private import private_server

logger = logging.getLogger(__name__)

MAXMEMORY = "2mb"
# 1 KiB per key: an empty server already uses about 1.1 MB (INFO memory used_memory), so
# some 950 keys fill what the 2 MB leaves, not two thousand
VALUE = b"x" * 1024
# small round trips: a pipeline's replies wait in an output buffer that counts toward maxmemory
BATCH = 50
LRU_CLOCK_SECONDS = 5  # Redis's LRU clock ticks once a second; wait at most this long
LAZY_FREE_SECONDS = 5  # how long start_over waits for the background thread to free memory


@dataclass(frozen=True)
class Eviction:
    """What one run of writes past the limit did to the keys."""

    written: int  # keys written past the limit
    evicted: int  # `evicted_keys` from INFO stats
    hot_kept: int  # hot keys (the ones the application kept reading) still there
    frequent_kept: int  # frequent keys (read thirty times, then left idle) still there
    cold_kept: int  # cold keys (written once, never read again) still there
    new_kept: int  # the keys written past the limit still there


def start_over(client: redis.Redis, policy: str) -> None:
    """Empty the server, wait until its memory is free, reset statistics, set the policy."""
    # the embedded Valkey (8.0+) has lazyfree-lazy-user-flush on: a plain FLUSHALL answers at
    # once and frees the keys in a background thread, which used_memory counts until it is
    # done, so the next fill would be refused or evict its own keys. SYNC frees before it
    # answers, but not what the thread holds already: large values (over 64 allocations, as
    # lazyfree.c counts them) deleted, expired or evicted before it (the demo's 1 KiB strings
    # are freed at once): wait for those
    client.execute_command("FLUSHALL", "SYNC")
    wait_for_lazy_free(client)
    client.config_resetstat()
    client.config_set("maxmemory-policy", policy)


def write_until_refused(client: redis.Redis, *, limit: int = 10_000) -> tuple[int, Exception]:
    """Write 1 KiB keys until Redis refuses one; return how many it took and the error."""
    for number in range(limit):
        try:
            client.set(f"data:{number}", VALUE)
        except redis.OutOfMemoryError as error:
            return number, error
    raise AssertionError(f"{limit} KiB written and still no OutOfMemoryError: is maxmemory set?")


def cache_put(client: redis.Redis, key: str, value: bytes) -> bool:
    """Store a cache entry; a full Redis is a cache that cannot grow, not a failed request."""
    try:
        client.set(key, value, ex=300)
    except redis.OutOfMemoryError:
        logger.warning("Redis is full (maxmemory); %s not cached", key)
        return False
    return True


def fill(client: redis.Redis, prefix: str, count: int) -> None:
    """Write `count` 1 KiB keys named `prefix:N`, 50 to a round trip."""
    for start in range(0, count, BATCH):
        with client.pipeline(transaction=False) as pipe:
            for number in range(start, min(start + BATCH, count)):
                pipe.set(f"{prefix}:{number}", VALUE)
            pipe.execute()


def use(client: redis.Redis, prefix: str, count: int, *, times: int) -> None:
    """Read each `prefix:N` key `times` times: what makes a key recent (LRU) or frequent (LFU)."""
    for _ in range(times):
        for start in range(0, count, BATCH):
            with client.pipeline(transaction=False) as pipe:
                for number in range(start, min(start + BATCH, count)):
                    pipe.get(f"{prefix}:{number}")
                pipe.execute()


def wait_for_lazy_free(client: redis.Redis) -> None:
    """Wait until the server's background thread has freed every value handed to it."""
    deadline = time.monotonic() + LAZY_FREE_SECONDS
    while int(client.info("memory")["lazyfree_pending_objects"]) > 0:
        if time.monotonic() > deadline:
            raise TimeoutError(f"memory still not freed after {LAZY_FREE_SECONDS}s")
        time.sleep(0.01)


def wait_for_lru_tick(client: redis.Redis, prefix: str, count: int) -> None:
    """Wait until every `prefix:N` key has been idle a full second (the LRU clock's step)."""
    # the last key written is the youngest: if the clock ticked while the first ones were
    # being written, they are idle already and the last ones still tie with what comes next
    key = f"{prefix}:{count - 1}"
    deadline = time.monotonic() + LRU_CLOCK_SECONDS
    while client.object("idletime", key) < 1:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{key} was not idle after {LRU_CLOCK_SECONDS}s")
        time.sleep(0.05)


def evict(
    client: redis.Redis, policy: str, *, hot: int = 50, frequent: int = 50, cold: int = 600
) -> Eviction:
    """Fill Redis past `maxmemory` under `policy` while the application keeps using `hot` keys."""
    start_over(client, policy)
    fill(client, "frequent", frequent)
    use(client, "frequent", frequent, times=30)  # often, but never again after this
    # hot keys first, cold ones after: left alone the hot keys would be the older ones,
    # so what saves them is being read, not having been written last
    fill(client, "hot", hot)
    fill(client, "cold", cold)
    if policy.endswith("lru"):
        wait_for_lru_tick(client, "cold", cold)  # idle times differ only in whole seconds
    written = 0
    for batch in range(5):  # 500 KiB more: past the limit, evicting all along
        use(client, "hot", hot, times=1)  # the application keeps reading its hot keys
        fill(client, f"new{batch}", 100)
        written += 100
    evicted = int(client.info("stats")["evicted_keys"])
    prefixes = ("hot", "frequent", "cold", "new*")
    kept = {prefix: count_keys(client, prefix) for prefix in prefixes}
    return Eviction(written, evicted, *kept.values())


def count_keys(client: redis.Redis, prefix: str) -> int:
    """Count the keys named `prefix:...`."""
    return sum(1 for _ in client.scan_iter(match=f"{prefix}:*", count=1000))


def main() -> None:
    # cache_put's warning, indented like the rest of the numbered output
    logging.basicConfig(level=logging.WARNING, format="   log: %(message)s", stream=sys.stdout)
    with private_server("redis", extra_args=["--maxmemory", MAXMEMORY]) as server:
        client = redis.Redis.from_url(server.url)
        start_over(client, "noeviction")
        empty = client.info("memory")["used_memory"] // 1024
        written, error = write_until_refused(client)
        print(f"1. noeviction, maxmemory {MAXMEMORY}; the empty server already uses {empty} KiB")
        print(f"   (INFO used_memory): {written} keys of 1 KiB (plus their overhead) fit, then")
        print(f"   {type(error).__module__}.{type(error).__name__}: {error}")
        print(f"   reads still work: GET data:0 gives {len(client.get('data:0'))} bytes;")
        stored = cache_put(client, "report", VALUE)  # logs a warning: not cached
        print(f"   a cache write is skipped, not failed: cache_put gives {stored}")
        for step, policy in enumerate(("allkeys-lru", "allkeys-lfu"), start=2):
            result = evict(client, policy)
            print(f"{step}. {policy}: {result.written} keys written, none refused;")
            print(f"   INFO stats evicted_keys: {result.evicted}; still there:")
            print(
                f"   {result.hot_kept}/50 hot keys (written before the cold ones, read all along),"
            )
            print(
                f"   {result.frequent_kept}/50 frequent ones (read thirty times, then left idle),"
            )
            print(f"   {result.cold_kept}/600 cold (written once, never read),")
            print(f"   {result.new_kept}/{result.written} new ones")
        client.close()
    print("Conclusion: a cache should evict: allkeys-lru keeps what was read lately, allkeys-lfu")
    print("also what was read often (a steady hot set that sometimes goes quiet);")
    print("data you cannot rebuild wants noeviction, an alert on used_memory, and more memory.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
