"""Caching with Redis: cache-aside, TTL, invalidation, stampede protection, degradation.

Run `python 01-database/redis_cache.py`. You will see a slow PostgreSQL report (an aggregate
over 500,000 sales) served from Redis after the first read; a write that invalidates it; eight
threads missing the cache at once while ONE of them queries the database (a lock taken with
SET NX PX; the others wait and re-read) and, as the wrong way, eight queries without the lock;
cache hits against database queries at p50/p95; and reads that still work with Redis down.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# delete the lock only if it still holds OUR token: it may have expired and been re-taken
RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def make_cache_client(redis_url: str, *, timeout_seconds: float = 0.5) -> redis.Redis:
    """Create a Redis client that gives up quickly, so a dead cache never stalls a request."""
    return redis.Redis.from_url(
        redis_url,
        decode_responses=True,
        socket_connect_timeout=timeout_seconds,
        socket_timeout=timeout_seconds,
        retry=Retry(NoBackoff(), retries=0),  # a cache miss is cheaper than a retry storm
    )


class Cache:
    """Cache-aside over Redis: JSON values with a TTL, one loader per key on a miss."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        namespace: str,
        ttl_seconds: int = 60,
        lock_ms: int = 10_000,
        wait_seconds: float = 10.0,
        stampede_protection: bool = True,
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.ttl_seconds = ttl_seconds
        self.lock_ms = lock_ms
        self.wait_seconds = wait_seconds
        self.stampede_protection = stampede_protection
        self._release_lock = client.register_script(RELEASE_LOCK)

    def key(self, name: str) -> str:
        """Return the Redis key of a cached value: `namespace:name`."""
        return f"{self.namespace}:{name}"

    def get_or_load(
        self, name: str, loader: Callable[[], Any], *, ttl_seconds: int | None = None
    ) -> Any:
        """Return the cached value, or load it, cache it for the TTL and return it."""
        key, ttl = self.key(name), ttl_seconds or self.ttl_seconds
        try:
            cached = self.client.get(key)
            if cached is not None:
                return json.loads(cached)
            if not self.stampede_protection:
                return self._load_and_store(key, loader, ttl)  # the wrong way, for the demo
            return self._load_once(key, loader, ttl)
        except redis.RedisError as error:
            # degrade, do not fail: the database is the source of truth, the cache a shortcut
            logger.warning("cache unavailable (%s); reading %s from the database", error, name)
            return loader()

    def _load_and_store(self, key: str, loader: Callable[[], Any], ttl: int) -> Any:
        value = loader()
        self.client.set(key, json.dumps(value), ex=ttl)
        return value

    def _load_once(self, key: str, loader: Callable[[], Any], ttl: int) -> Any:
        lock_key, token = f"{key}:lock", uuid.uuid4().hex
        if self.client.set(lock_key, token, nx=True, px=self.lock_ms):
            try:
                # re-check: the previous lock holder may have stored it since our GET missed
                cached = self.client.get(key)
                if cached is not None:
                    return json.loads(cached)
                return self._load_and_store(key, loader, ttl)
            finally:
                self._release_lock(keys=[lock_key], args=[token])
        # another caller holds the lock and is querying: wait for its value, then re-read
        deadline = time.monotonic() + self.wait_seconds
        while time.monotonic() < deadline:
            time.sleep(0.01)
            cached = self.client.get(key)
            if cached is not None:
                return json.loads(cached)
        logger.warning("waited %.1fs for %s; loading it myself", self.wait_seconds, key)
        return self._load_and_store(key, loader, ttl)

    def invalidate(self, name: str) -> None:
        """Delete a cached value (call it after the write that made it stale)."""
        try:
            self.client.delete(self.key(name))
        except redis.RedisError as error:
            logger.warning("could not invalidate %s (%s); it expires with its TTL", name, error)


def cached(cache: Cache, *, ttl: int | None = None) -> Callable:
    """Decorate a function so its results are cached under `function_name:arg1:arg2...`."""

    def decorate(function: Callable) -> Callable:
        def name_for(*args: Any) -> str:
            return ":".join([function.__name__, *map(str, args)])

        @functools.wraps(function)
        def wrapper(*args: Any) -> Any:
            return cache.get_or_load(name_for(*args), lambda: function(*args), ttl_seconds=ttl)

        wrapper.invalidate = lambda *args: cache.invalidate(name_for(*args))  # type: ignore[attr-defined]
        return wrapper

    return decorate


def main() -> None:
    from redis_cache_bench import concurrent_misses, counting, measure_hit_vs_query
    from redis_cache_sales import create_sales, record_sale, revenue_by_sku
    from sqlalchemy import create_engine

    import course
    from course.sandbox import temporary_postgres_database, unique_name

    settings = course.require("postgres", "redis")
    logging.basicConfig(
        level=logging.WARNING, format="   log %(levelname)s: %(message)s", stream=sys.stdout
    )
    client = make_cache_client(settings.redis_url)
    namespace = unique_name("redis_cache")  # scripts share db 0: keep to our own keys
    cache = Cache(client, namespace=namespace, ttl_seconds=60)
    with temporary_postgres_database(settings, prefix="redis_cache") as url:
        engine = create_engine(url)
        create_sales(engine, rows=500_000)

        @cached(cache, ttl=60)
        def revenue_report() -> dict:
            return revenue_by_sku(engine)

        print("1. Cache-aside: the first read queries PostgreSQL, later ones read Redis")
        pen = revenue_report()["pen"]["revenue_cents"] / 100
        ttl = client.ttl(cache.key("revenue_report"))
        print(f"   pen revenue {pen:,.2f}, cached as {cache.key('revenue_report')} (TTL {ttl}s)")
        record_sale(engine, sku="pen", qty=4, price_cents=2500)
        revenue_report.invalidate()  # invalidate on write: the next read rebuilds it
        pen = revenue_report()["pen"]["revenue_cents"] / 100
        print(f"2. A sale is written and the entry invalidated: pen now {pen:,.2f}")
        for protected in (False, True):
            herd = Cache(
                client, namespace=f"{namespace}:{protected}", stampede_protection=protected
            )
            loader, queries = counting(lambda: revenue_by_sku(engine))
            concurrent_misses(herd, "revenue", loader, callers=8)
            label = "with a SET NX PX lock" if protected else "WRONG WAY, no lock"
            print(f"3. 8 threads miss at once, {label}: database queried {queries()}x")
        figures = measure_hit_vs_query(cache, engine)
        print(
            f"4. Database query p50 {figures['query_p50']:.2f} ms, p95 {figures['query_p95']:.2f}"
            f" ms; cache hit p50 {figures['hit_p50']:.3f} ms, p95 {figures['hit_p95']:.3f} ms"
        )
        print(
            f"   a hit is {figures['query_p50'] / figures['hit_p50']:.0f}x faster at p50, "
            f"{figures['query_p95'] / figures['hit_p95']:.0f}x at p95"
        )
        print("5. Redis down (a dead port): reads fall back to PostgreSQL")
        dead_client = make_cache_client("redis://127.0.0.1:1/0", timeout_seconds=0.2)
        dead = Cache(dead_client, namespace=namespace)
        pen = dead.get_or_load("revenue", lambda: revenue_by_sku(engine))["pen"]["revenue_cents"]
        print(f"   pen revenue still {pen / 100:,.2f}")
        engine.dispose()
    client.delete(*client.scan_iter(match=f"{namespace}*"), f"{namespace}:none")
    client.close()
    print(
        "Conclusion: cache reads that are hot, slow and may be briefly stale; invalidate on"
        " write, let one caller rebuild, and never let the cache take the app down."
    )


if __name__ == "__main__":
    main()
