"""Caching with Redis: cache-aside, TTL, invalidation, stampede protection, degradation.

The `Cache` here reads through Redis and falls back to the database when Redis fails; a lock
taken with SET NX PX lets ONE caller rebuild a missing value while the others wait. A random
generation value per key (a new one at every invalidation, never a counter) stops a slow
loader from caching a value that a write made stale while it was loading. When Redis is down,
a circuit breaker stops waiting for it and an in-process single-flight keeps the fallback to
one database query per key at a time.
`python 01-database/redis_cache_demo.py` shows it all against PostgreSQL and Redis.
"""

from __future__ import annotations

import functools
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis_cache_guard import CircuitBreaker, SingleFlight

logger = logging.getLogger(__name__)

# delete the lock only if it still holds OUR token: it may have expired and been re-taken
RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
# store the loaded value only if no invalidation changed the generation since loading began
# (while `:gen` is not evicted: an evicted one reads as '0' again: part 2c, memory)
STORE_IF_CURRENT = """
if (redis.call('get', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""
# each invalidation sets a NEW random generation, never a counter: a counter's key that
# expired mid-load (or was never set) restarts at 1, a value a loader may hold already; the
# TTL only keeps rarely written keys from piling up (expired, it reads as '0', matching no one)
GENERATION_TTL_SECONDS = 24 * 3600


def new_generation() -> str:
    """Return a generation no loader can have read: random, not a counter that may restart."""
    return uuid.uuid4().hex


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
        wait_seconds: float | None = None,
        stampede_protection: bool = True,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.ttl_seconds = ttl_seconds
        self.lock_ms = lock_ms
        # a caller waits at most wait_seconds. By default that outlasts a crashed holder's
        # lock (PX) AND the load of the waiter that takes it over (a load must fit in its own
        # lock anyway), plus a margin. A wait equal to PX would end for every waiter in the
        # step the crashed lock expires, and each would load without it: the stampede, late
        self.wait_seconds = 2 * lock_ms / 1000 + 2.0 if wait_seconds is None else wait_seconds
        self.stampede_protection = stampede_protection
        self.breaker = breaker or CircuitBreaker()
        self.single_flight = SingleFlight()
        self._release_lock = client.register_script(RELEASE_LOCK)
        self._store_if_current = client.register_script(STORE_IF_CURRENT)
        self.functions: dict[str, Callable] = {}  # what `cached` caches, per key prefix

    def key(self, name: str) -> str:
        """Return the Redis key of a cached value: `namespace:name`."""
        return f"{self.namespace}:{name}"

    def get_or_load(
        self, name: str, loader: Callable[[], Any], *, ttl_seconds: int | None = None
    ) -> Any:
        """Return the cached value, or load it, cache it for the TTL and return it."""
        key, ttl = self.key(name), ttl_seconds or self.ttl_seconds
        if not self.breaker.allows_call():
            # Redis failed just now: do not wait for its timeout again, and let one thread per
            # key query the database, so the outage does not multiply the database's load
            return self.single_flight.do(key, loader)
        lock_token = None
        try:
            # one round trip for the value and its generation, read BEFORE the loader reads
            # the database (see _store)
            cached, generation = self.client.mget(key, f"{key}:gen")
            generation = generation or "0"
            if cached is None and self.stampede_protection:
                cached, lock_token, generation = self._wait_or_lock(key, generation)
            self.breaker.record_success()
        except redis.RedisError as error:
            # degrade, do not fail: the database is the source of truth, the cache a shortcut
            self.breaker.record_failure()
            logger.warning("cache unavailable (%s); reading %s from the database", error, name)
            return self.single_flight.do(key, loader)
        if cached is not None:
            return json.loads(cached)
        try:
            # the loader runs once, outside any `except RedisError`: a failed SET below must
            # not send the slow query to the database a second time
            value = loader()
            self._store(key, value, ttl, generation)
            return value
        finally:
            if lock_token is not None:
                self._unlock(key, lock_token)

    def _wait_or_lock(self, key: str, generation: str) -> tuple[str | None, str | None, str]:
        """Return (value, None, _) once another caller stored it, or (None, token, generation)."""
        lock_key, token = f"{key}:lock", uuid.uuid4().hex
        deadline = time.monotonic() + self.wait_seconds  # fixed: no caller waits longer
        while not self.client.set(lock_key, token, nx=True, px=self.lock_ms):
            # another caller holds the lock and is querying: wait for its value, then re-read
            time.sleep(0.01)
            cached = self.client.get(key)
            if cached is not None:
                return cached, None, generation
            if time.monotonic() > deadline:
                # no lock for this caller: if every waiter gives up together, they all load
                logger.warning("waited %.1fs for %s; loading it myself", self.wait_seconds, key)
                token = None
                break
        # re-check, and read the generation again: while we waited, the previous lock holder
        # may have stored the value, or a write may have invalidated it (a generation read
        # before the wait would then refuse everything we load)
        cached, generation = self.client.mget(key, f"{key}:gen")
        if cached is not None and token is not None:
            self._unlock(key, token)
            token = None
        return cached, token, generation or "0"

    def _store(self, key: str, value: Any, ttl: int, generation: str) -> None:
        # a write may have committed and invalidated while the loader was reading the old
        # data; storing that old value would serve it for the whole TTL, so compare first
        try:
            stored = self._store_if_current(
                keys=[key, f"{key}:gen"], args=[generation, json.dumps(value), ttl]
            )
        except redis.RedisError as error:
            logger.warning("could not cache %s (%s); serving the fresh value", key, error)
            return
        if not stored:
            logger.info("%s was invalidated while loading; not caching the loaded value", key)

    def _unlock(self, key: str, token: str) -> None:
        try:
            self._release_lock(keys=[f"{key}:lock"], args=[token])
        except redis.RedisError as error:
            logger.warning("could not release the lock on %s (%s); it expires", key, error)

    def invalidate(self, name: str) -> None:
        """Delete a cached value (call it after the write that made it stale)."""
        key = self.key(name)
        try:
            # MULTI/EXEC: no other client runs a command between the two, and a connection lost
            # before EXEC runs neither (the SET first also makes a split order safe: see the test)
            with self.client.pipeline(transaction=True) as pipe:
                pipe.set(f"{key}:gen", new_generation(), ex=GENERATION_TTL_SECONDS)
                pipe.delete(key)
                pipe.execute()
        except redis.RedisError as error:
            logger.warning("could not invalidate %s (%s); it expires with its TTL", name, error)


def cached(
    cache: Cache, *, ttl: int | None = None, version: int = 1, name: str | None = None
) -> Callable:
    """Cache a function's results under `v<version>:<module>.<qualname>:<JSON of the args>`."""

    def decorate(function: Callable) -> Callable:
        if function.__name__ == "<lambda>":
            # every lambda of a module has the same qualified name: their keys would collide
            raise TypeError("cached() needs a named function (def), not a lambda")
        if name is None and "<locals>" in function.__qualname__:
            # every closure a factory makes has this one qualified name, whatever it captured
            raise TypeError(
                f"cached() cannot tell the closures {function.__qualname__} apart: define the"
                " function at module level, or pass name= unique to what it captured"
            )
        # the module and qualified name keep two functions called `report` apart; the version
        # lets a change of the result's shape skip the entries the old code cached
        prefix = f"v{version}:{name or f'{function.__module__}.{function.__qualname__}'}"
        if cache.functions.setdefault(prefix, function) is not function:
            # two function objects can share one name (made in a loop, redefined in a notebook
            # cell, the same name=): they would serve each other's entries
            raise TypeError(
                f"cached() already caches another function as {prefix}: pass name= unique to"
                " this one"
            )

        def name_for(*args: Any) -> str:
            # JSON, not str(): ("a:b",) and ("a", "b") must not share a key
            return f"{prefix}:{json.dumps(args, separators=(',', ':'))}"

        @functools.wraps(function)
        def wrapper(*args: Any) -> Any:
            return cache.get_or_load(name_for(*args), lambda: function(*args), ttl_seconds=ttl)

        wrapper.invalidate = lambda *args: cache.invalidate(name_for(*args))  # type: ignore[attr-defined]
        wrapper.cache_key = lambda *args: cache.key(name_for(*args))  # type: ignore[attr-defined]
        return wrapper

    return decorate
