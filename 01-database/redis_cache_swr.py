"""Stale-while-revalidate: serve the old value at once while ONE caller refreshes it.

With plain cache-aside, the request that finds an entry expired waits for the slow query (and
without a lock, so do all the others). Here each entry has two lifetimes: a **soft TTL**
inside the stored value (after it the value is stale, still served) and a **hard TTL** on the
key (after it Redis deletes it, a real miss). A caller that finds a stale value takes a
refresh lock with SET NX PX; the one that wins reloads in a background thread, and every
caller, the winner included, returns the stale value at once. The lock lives in Redis, so
across all processes one refresh runs per key at a time, and a refresh that finds the entry
fresh again when it starts (another one stored meanwhile) skips. A refresh stores its value
only if no invalidation happened since it read the generation (as `redis_cache.Cache` does).
A real miss (nothing cached) is loaded by each caller that finds it, as in plain cache-aside:
the long hard TTL makes that rare for a hot key, and `Cache`'s lock is the answer where not.
When Redis is down it falls back as `Cache` does: a circuit breaker stops waiting for Redis,
and a single-flight keeps the fallback to one database query per key at a time per process.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import redis
from redis_cache import GENERATION_TTL_SECONDS, RELEASE_LOCK, STORE_IF_CURRENT, new_generation
from redis_cache_guard import CircuitBreaker, SingleFlight

logger = logging.getLogger(__name__)
# at the refresh's start, not when it was queued: still our lock? then it lasts PX from now
REARM_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""


class StaleWhileRevalidateCache:
    """Cache-aside whose stale entries are served while one caller refreshes them."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        namespace: str,
        soft_ttl_seconds: float = 30,
        hard_ttl_seconds: int = 600,
        lock_ms: int = 10_000,
        clock: Callable[[], float] = time.time,  # wall time: shared by every process
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.client, self.namespace, self.clock = client, namespace, clock
        self.breaker = breaker or CircuitBreaker()
        self.single_flight = SingleFlight()
        self.soft_ttl, self.hard_ttl, self.lock_ms = soft_ttl_seconds, hard_ttl_seconds, lock_ms
        self._refresher = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cache-refresh")
        self._release_lock = client.register_script(RELEASE_LOCK)
        self._rearm_lock = client.register_script(REARM_LOCK)
        self._store_if_current = client.register_script(STORE_IF_CURRENT)
        self.refreshing: dict[str, Future] = {}  # the refreshes this process runs, per key
        self._refreshing_lock = threading.Lock()

    def key(self, name: str) -> str:
        """Return the Redis key of a cached value: `namespace:name`."""
        return f"{self.namespace}:{name}"

    def get_or_load(self, name: str, loader: Callable[[], Any]) -> Any:
        """Return the value: fresh, stale (and refreshed behind), or loaded on a real miss."""
        key = self.key(name)
        if not self.breaker.allows_call():
            # Redis failed just now: skip its timeout, one database query per key at a time
            return self.single_flight.do(key, loader)
        try:
            entry, generation = self.client.mget(key, f"{key}:gen")
            self.breaker.record_success()
        except redis.RedisError as error:
            self.breaker.record_failure()
            logger.warning("cache unavailable (%s); reading %s from the database", error, name)
            return self.single_flight.do(key, loader)
        generation = generation or "0"
        if entry is None:  # a real miss: past the hard TTL, never cached, or invalidated
            value = loader()
            self._store(key, value, generation)
            return value
        cached = json.loads(entry)
        if self.clock() >= cached["fresh_until"]:
            self._refresh_in_background(key, loader, generation)
        return cached["value"]  # fresh or stale, at once: nobody waits for the refresh

    def _refresh_in_background(self, key: str, loader: Callable[[], Any], generation: str) -> None:
        token = uuid.uuid4().hex
        try:
            # one refresh per key across every process; the others keep serving the stale value
            won = self.client.set(f"{key}:lock", token, nx=True, px=self.lock_ms)
        except redis.RedisError as error:
            logger.warning("could not take the refresh lock on %s (%s)", key, error)
            return
        if won:
            future = self._refresher.submit(self._refresh, key, loader, generation, token)
            with self._refreshing_lock:
                # forget the finished ones: one per key ever refreshed would grow without bound
                self.refreshing = {k: f for k, f in self.refreshing.items() if not f.done()}
                self.refreshing[key] = future

    def _refresh(self, key: str, loader: Callable[[], Any], generation: str, token: str) -> None:
        try:
            # queued behind other refreshes, the lock may have expired and another process may
            # be refreshing this key: start only while the lock is still ours, for PX from now
            if not self._rearm_lock(keys=[f"{key}:lock"], args=[token, self.lock_ms]):
                logger.info("the refresh lock on %s expired while queued; not refreshing", key)
                return
            # a caller that read the stale entry just before another refresh stored, and won
            # the lock just after that one released it, finds the entry fresh again: skip
            entry = self.client.get(key)
        except redis.RedisError as error:
            logger.warning("could not re-arm the lock on %s (%s); not refreshing", key, error)
            return
        if entry is None or self.clock() < json.loads(entry)["fresh_until"]:
            logger.info("%s was refreshed or invalidated meanwhile; not refreshing", key)
            self._unlock(key, token)
            return
        try:
            self._store(key, loader(), generation)
        except Exception:  # a failed refresh leaves the stale value to serve until the hard TTL
            # and its lock until PX: a down database gets one attempt per PX, not one per read
            logger.exception("refreshing %s failed; the stale value stays", key)
            return
        self._unlock(key, token)

    def _unlock(self, key: str, token: str) -> None:
        try:
            self._release_lock(keys=[f"{key}:lock"], args=[token])
        except redis.RedisError as error:
            logger.warning("could not release the lock on %s (%s); it expires", key, error)

    def _store(self, key: str, value: Any, generation: str) -> None:
        entry = json.dumps({"value": value, "fresh_until": self.clock() + self.soft_ttl})
        try:
            stored = self._store_if_current(
                keys=[key, f"{key}:gen"], args=[generation, entry, self.hard_ttl]
            )
        except redis.RedisError as error:
            logger.warning("could not cache %s (%s); serving the fresh value", key, error)
            return
        if not stored:
            logger.info("%s was invalidated while loading; not caching the loaded value", key)

    def invalidate(self, name: str) -> None:
        """Delete a cached value and give it a new generation (call it after the write)."""
        key = self.key(name)
        try:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.set(f"{key}:gen", new_generation(), ex=GENERATION_TTL_SECONDS)
                pipe.delete(key)
                pipe.execute()
        except redis.RedisError as error:  # the write has committed: do not fail its request
            logger.warning("could not invalidate %s (%s); it lives to its hard TTL", name, error)

    def close(self) -> None:
        """Wait for the refreshes under way, then stop the refresh threads."""
        self._refresher.shutdown(wait=True)
