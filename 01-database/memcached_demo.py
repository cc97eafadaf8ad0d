"""Caching with Memcached, demonstrated: part 2b's slow report, served from Memcached.

Run `python 01-database/memcached_demo.py`. You will see the slow PostgreSQL report (an
aggregate over 300,000 sales, the same `redis_cache_sales` code part 2b uses) read from
Memcached after the first read; a write that invalidates it; eight threads missing at once,
as the WRONG WAY eight queries, then ONE with an `add` lock; two writers updating one cached
list, losing an order with get/set and keeping both with gets/cas; and Memcached's limits
that Redis does not have (a 30-day expiry ceiling, 250-byte keys).
"""

from __future__ import annotations

import logging
import sys
import time

from memcached_cache import MemcachedCache, make_memcached_client
from memcached_cas import append_naive, append_with_cas, race_two_writers
from redis_cache_bench import concurrent_misses, counting
from redis_cache_sales import create_sales, record_sale, revenue_by_sku
from sqlalchemy import Engine, create_engine

import course
from course.sandbox import temporary_postgres_database, unique_name


def milliseconds(function) -> tuple[float, object]:
    """Call `function`; return (how long it took in ms, what it returned)."""
    began = time.perf_counter()
    result = function()
    return (time.perf_counter() - began) * 1000, result


def show_cache_aside(cache: MemcachedCache, engine: Engine) -> None:
    """Print steps 1 and 2: a cached report, then a write that invalidates it."""
    load = lambda: revenue_by_sku(engine)  # noqa: E731
    query_ms, report = milliseconds(lambda: cache.get_or_load("revenue", load))
    hit_ms, _ = milliseconds(lambda: cache.get_or_load("revenue", load))
    pen = report["pen"]["revenue_cents"] / 100
    print("1. Cache-aside: the first read queries PostgreSQL, the next reads Memcached")
    print(f"   pen revenue {pen:,.2f}: query {query_ms:.1f} ms, then a hit in {hit_ms:.2f} ms")
    print(f"   cached as {cache.key('revenue')!r} for {cache.ttl_seconds} s (a TTL in seconds)")
    record_sale(engine, sku="pen", qty=4, price_cents=2500)
    cache.invalidate("revenue")  # invalidate on write: the next read rebuilds it
    pen = cache.get_or_load("revenue", load)["pen"]["revenue_cents"] / 100
    print(f"2. A sale is written and the entry deleted: pen now {pen:,.2f}")


def show_stampede(cache: MemcachedCache, engine: Engine) -> None:
    """Print step 3: eight concurrent misses, without and then with the `add` lock."""
    for protected in (False, True):
        herd = MemcachedCache(
            cache.client, namespace=f"{cache.namespace}:{protected}", stampede_protection=protected
        )
        loader, queries = counting(lambda: revenue_by_sku(engine))
        concurrent_misses(herd, "revenue", loader, callers=8)
        label = "with an `add` lock" if protected else "WRONG WAY, no lock"
        print(f"3. 8 threads miss at once, {label}: database queried {queries()}x")


def show_cas(cache: MemcachedCache) -> None:
    """Print step 4: two writers racing on one cached list, with get/set and with cas."""
    for append, label in ((append_naive, "WRONG WAY, get then set"), (append_with_cas, "cas")):
        key = cache.key(f"recent-orders-{append.__name__}")
        stored = race_two_writers(append, cache.client, key)
        print(f"4. Two writers append at once, {label}: the list holds {stored}")
        cache.client.delete(key)


def show_limits(cache: MemcachedCache) -> None:
    """Print step 5: what Memcached refuses that Redis accepts."""
    try:
        MemcachedCache(cache.client, namespace=cache.namespace, ttl_seconds=31 * 86400)
    except ValueError as error:
        print(f"5. A 31-day TTL is refused here: {error}")
    long_name = "report?" + "&".join(f"sku={number}" for number in range(60))
    print(f"   keys are at most 250 bytes, without spaces: a {len(long_name)}-byte name becomes")
    print(f"   {cache.key(long_name)}")


def main() -> None:
    settings = course.require("postgres", "memcached")
    logging.basicConfig(
        level=logging.WARNING, format="   log %(levelname)s: %(message)s", stream=sys.stdout
    )
    client = make_memcached_client(settings.memcached_url)
    cache = MemcachedCache(client, namespace=unique_name("memcached_demo"), ttl_seconds=60)
    try:
        with temporary_postgres_database(settings, prefix="memcached_demo") as url:
            engine = create_engine(url)
            create_sales(engine, rows=300_000)
            show_cache_aside(cache, engine)
            show_stampede(cache, engine)
            engine.dispose()
        show_cas(cache)
        show_limits(cache)
    finally:
        for name in ("revenue", "False:revenue", "True:revenue"):
            client.delete(cache.key(name))  # the keys this demo made
        client.close()
    print(
        "Conclusion: Memcached serves the same cache-aside as Redis with fewer tools: `add` is"
        " the lock, `cas` the safe update, and the client, not the server, spreads the keys."
    )


if __name__ == "__main__":
    course.script_arguments()
    main()
