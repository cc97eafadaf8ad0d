"""Caching with Redis, demonstrated: the `Cache` of redis_cache.py over a slow PostgreSQL report.

Run `python 01-database/redis_cache_demo.py`. You will see a slow PostgreSQL report (an
aggregate over 500,000 sales) served from Redis after the first read; a write that invalidates
it; eight threads missing the cache at once while ONE of them queries the database (a lock
taken with SET NX PX; the others wait and re-read) and, as the wrong way, eight queries without
the lock; the median cache hit against the median database query (20 reads each: too few for
a p95, which `make bench` measures over more); reads that still work with Redis
down; and stale-while-revalidate: eight readers of an entry past its soft TTL all answered at
once with the old value while one background query refreshes it.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from redis_cache import Cache, cached, make_cache_client
from redis_cache_bench import concurrent_misses, counting, measure_hit_vs_query
from redis_cache_sales import create_sales, record_sale, revenue_by_sku
from redis_cache_swr import StaleWhileRevalidateCache
from redis_structures import delete_namespace
from sqlalchemy import Engine, create_engine

import course
from course.sandbox import temporary_postgres_database, unique_name


def show_cache_aside(cache: Cache, engine: Engine) -> None:
    """Print steps 1 and 2: a cached report, then a write that invalidates it."""

    @cached(cache, ttl=60, name="revenue_report")  # a closure: it needs a name of its own
    def revenue_report() -> dict:
        return revenue_by_sku(engine)

    print("1. Cache-aside: the first read queries PostgreSQL, later ones read Redis")
    pen = revenue_report()["pen"]["revenue_cents"] / 100
    key = revenue_report.cache_key()
    print(f"   pen revenue {pen:,.2f}, cached as {key} (TTL {cache.client.ttl(key)}s)")
    record_sale(engine, sku="pen", qty=4, price_cents=2500)
    revenue_report.invalidate()  # invalidate on write: the next read rebuilds it
    pen = revenue_report()["pen"]["revenue_cents"] / 100
    print(f"2. A sale is written and the entry invalidated: pen now {pen:,.2f}")


def show_stampede(cache: Cache, engine: Engine) -> None:
    """Print step 3: eight concurrent misses, without and then with the lock."""
    for protected in (False, True):
        herd = Cache(
            cache.client, namespace=f"{cache.namespace}:{protected}", stampede_protection=protected
        )
        loader, queries = counting(lambda: revenue_by_sku(engine))
        concurrent_misses(herd, "revenue", loader, callers=8)
        label = "with a SET NX PX lock" if protected else "WRONG WAY, no lock"
        print(f"3. 8 threads miss at once, {label}: database queried {queries()}x")


def show_hit_vs_query_and_degradation(cache: Cache, engine: Engine) -> None:
    """Print steps 4 and 5: hit against query latency, then reads with Redis down."""
    figures = measure_hit_vs_query(cache, engine, samples=20)  # `make bench` adds the p95
    print(
        f"4. Median of 20 reads each: database query {figures['query_p50']:.2f} ms,"
        f" cache hit {figures['hit_p50']:.3f} ms;"
        f" a hit is {figures['query_p50'] / figures['hit_p50']:.0f}x faster"
    )
    print("5. Redis down (a dead port): reads fall back to PostgreSQL")
    dead_client = make_cache_client("redis://127.0.0.1:1/0", timeout_seconds=0.2)
    dead = Cache(dead_client, namespace=cache.namespace)
    pen = dead.get_or_load("revenue", lambda: revenue_by_sku(engine))["pen"]["revenue_cents"]
    print(f"   pen revenue still {pen / 100:,.2f}")
    for _ in range(5):
        dead.get_or_load("revenue", lambda: revenue_by_sku(engine))
    print(
        f"   6 reads: Redis was tried {dead.breaker.failures} times, then the circuit opened"
        f" (open: {dead.breaker.is_open}); the other reads skipped it, with no timeout to wait"
    )


def show_stale_while_revalidate(cache: Cache, engine: Engine) -> None:
    """Print step 6: eight readers of a stale entry answered at once, one refresh behind."""
    swr = StaleWhileRevalidateCache(
        cache.client, namespace=f"{cache.namespace}:swr", soft_ttl_seconds=0.5
    )
    loader, queries = counting(lambda: revenue_by_sku(engine))
    before = swr.get_or_load("revenue", loader)["pen"]["revenue_cents"] / 100  # fresh 0.5 s
    # a report over many sales may age: this sale does not invalidate it (a record's write would)
    record_sale(engine, sku="pen", qty=1, price_cents=2500)
    time.sleep(0.6)  # a demo may wait: the entry is now stale (a test moves a clock instead)
    barrier = threading.Barrier(8)

    def read(_: int) -> tuple[float, float]:
        barrier.wait()
        began = time.perf_counter()
        pen = swr.get_or_load("revenue", loader)["pen"]["revenue_cents"] / 100
        return (time.perf_counter() - began) * 1000, pen

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(read, range(8)))
    swr.refreshing[swr.key("revenue")].result()  # the one refresh, running in the background
    after = swr.get_or_load("revenue", loader)["pen"]["revenue_cents"] / 100
    swr.close()
    served = ", ".join(f"{pen:,.2f}" for pen in sorted({pen for _, pen in answers}))
    print(f"6. Stale-while-revalidate: 8 threads read a stale report (pen {before:,.2f}) at once:")
    print(f"   each got pen {served} within {max(ms for ms, _ in answers):.1f} ms, while")
    print(f"   {queries() - 1} query ran in the background; the next read: pen {after:,.2f}")


def main() -> None:
    settings = course.require("postgres", "redis")
    logging.basicConfig(
        level=logging.WARNING, format="   log %(levelname)s: %(message)s", stream=sys.stdout
    )
    client = make_cache_client(settings.redis_url)
    namespace = unique_name("redis_cache")  # scripts share db 0: keep to our own keys
    cache = Cache(client, namespace=namespace, ttl_seconds=60)
    try:
        with temporary_postgres_database(settings, prefix="redis_cache") as url:
            engine = create_engine(url)
            create_sales(engine, rows=500_000)
            show_cache_aside(cache, engine)
            show_stampede(cache, engine)
            show_hit_vs_query_and_degradation(cache, engine)
            show_stale_while_revalidate(cache, engine)
            engine.dispose()
    finally:
        delete_namespace(client, namespace)  # every key above lives under `namespace:`
        client.close()
    print(
        "Conclusion: cache reads that are hot, slow and may be briefly stale; invalidate on"
        " write, let one caller rebuild, and never let the cache take the app down."
    )


if __name__ == "__main__":
    course.script_arguments()
    main()
