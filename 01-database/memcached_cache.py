"""Caching with Memcached: the same cache-aside as part 2b's Redis cache, with pymemcache.

The `MemcachedCache` reads through Memcached and falls back to the database when Memcached
fails; `add` (store only if the key does not exist) is the lock that lets ONE caller rebuild
a missing value while the others wait. The lock goes when the loader returns OR raises, with
a compare-and-delete (`md key C<cas>`, the meta protocol of Memcached 1.6), so a caller never
deletes a lock that expired and was taken by another; a loader slower than `lock_seconds`
lets a second caller in. `python 01-database/memcached_demo.py` shows it against the same
slow PostgreSQL report as `redis_cache_demo.py`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from pymemcache.client.base import PooledClient
from pymemcache.exceptions import MemcacheError, MemcacheIllegalInputError

logger = logging.getLogger(__name__)

# an expiry above 30 days is read as a Unix timestamp, not a number of seconds: 31 days
# would be 1970, already past, and the value would expire at once (memcached's protocol.txt)
MAX_RELATIVE_TTL_SECONDS = 30 * 24 * 3600
MAX_KEY_BYTES = 250
LOCK_SUFFIX = ":lock"
UNSAFE_KEY_CHARACTERS = re.compile(r"[\x00-\x20\x7f]")  # spaces and control characters


def make_memcached_client(
    memcached_url: str, *, key_prefix: str = "", timeout_seconds: float = 0.5
) -> PooledClient:
    """Create a thread-safe pymemcache client that gives up quickly and waits for replies."""
    parts = urlsplit(memcached_url)
    return PooledClient(
        (parts.hostname or "127.0.0.1", parts.port or 11211),
        key_prefix=key_prefix.encode(),
        connect_timeout=timeout_seconds,
        timeout=timeout_seconds,
        max_pool_size=16,  # one connection per thread at a time: a plain Client is not shared
        # pymemcache's default is noreply=True: set and add then return True WITHOUT waiting,
        # so an `add` lock would always look taken by us. Wait for the server's answer.
        default_noreply=False,
    )


def memcached_key(namespace: str, name: str, *, client_prefix: bytes = b"") -> str:
    """Return `namespace:name`, hashed when Memcached would refuse it or its lock (long, spaces)."""
    key = f"{namespace}:{name}"
    # the longest key sent is the client's prefix + key + ":lock" (the stampede lock)
    sent = len(client_prefix) + len(key) + len(LOCK_SUFFIX)
    # not ASCII: the server would take UTF-8, but pymemcache refuses it (allow_unicode_keys)
    if sent <= MAX_KEY_BYTES and key.isascii() and not UNSAFE_KEY_CHARACTERS.search(key):
        return key
    digest = hashlib.sha256(name.encode()).hexdigest()
    return f"{namespace}:sha256:{digest}"


def checked_expiry(name: str, seconds: int) -> int:
    """Return `seconds`, or raise a one-line ValueError for an expiry Memcached would misread."""
    if not 1 <= seconds <= MAX_RELATIVE_TTL_SECONDS:
        raise ValueError(
            f"{name}={seconds}: Memcached expiries are whole seconds from 1 to 30 days "
            f"({MAX_RELATIVE_TTL_SECONDS}); above that it reads a Unix timestamp"
        )
    return seconds


def delete_if_unchanged(client: PooledClient, key: str, cas_unique: bytes) -> bool:
    """Delete `key` only while its CAS unique is still `cas_unique`; True when deleted.

    The classic text protocol has no compare-and-delete; the meta protocol (Memcached 1.6)
    does: `md <key> C<cas>` answers HD (deleted), EX (changed since) or NF (gone).
    pymemcache 4 has no API for meta commands, so it goes as a raw command.
    """
    reply = client.raw_command(b"md " + client.check_key(key) + b" C" + cas_unique, b"\r\n")
    return reply == b"HD"


class MemcachedCache:
    """Cache-aside over Memcached: JSON values with a TTL, one loader per key on a miss."""

    def __init__(
        self,
        client: PooledClient,
        *,
        namespace: str,
        ttl_seconds: int = 60,
        lock_seconds: int = 10,
        wait_seconds: float | None = None,
        stampede_protection: bool = True,
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.ttl_seconds = checked_expiry("ttl_seconds", ttl_seconds)
        self.lock_seconds = checked_expiry("lock_seconds", lock_seconds)
        # a caller waits at most wait_seconds; by default longer than a crashed holder's lock
        # and the load of the waiter that takes it over, plus a margin (as redis_cache.py):
        # waiting exactly as long as the lock, every waiter would give up as it expires
        default_wait = 2 * self.lock_seconds + 2.0
        self.wait_seconds = default_wait if wait_seconds is None else wait_seconds
        self.stampede_protection = stampede_protection

    def key(self, name: str) -> str:
        """Return the Memcached key of a cached value (see `memcached_key`)."""
        prefix = getattr(self.client, "key_prefix", b"")  # pymemcache prepends it to every key
        return memcached_key(self.namespace, name, client_prefix=prefix)

    def get_or_load(
        self, name: str, loader: Callable[[], Any], *, ttl_seconds: int | None = None
    ) -> Any:
        """Return the cached value, or load it, cache it for the TTL and return it."""
        key, ttl = self.key(name), self.ttl_seconds if ttl_seconds is None else ttl_seconds
        checked_expiry("ttl_seconds", ttl)  # per call too: 0 is not "the default"
        token = None
        try:
            cached = self.client.get(key)
            if cached is None and self.stampede_protection:
                cached, token = self._wait_or_lock(key)
        except MemcacheIllegalInputError as error:  # refused by the client: ours, not an outage
            logger.error(
                "Memcached refused the key of %s (%s); reading it from the database", name, error
            )
            return loader()
        except (MemcacheError, OSError) as error:
            # degrade, do not fail: the database is the source of truth, the cache a shortcut
            logger.warning("cache unavailable (%s); reading %s from the database", error, name)
            return loader()
        if cached is not None:
            return json.loads(cached)
        try:
            value = loader()  # once, outside the `except`: a failed set must not query twice
            self._store(key, value, ttl)
        finally:
            # in every case, also when the loader raised or the server refused the value:
            # a lock left to expire would make every caller wait `lock_seconds` for nothing
            if token is not None:
                self._unlock(key, token)
        return value

    def _store(self, key: str, value: Any, ttl: int) -> None:
        try:
            # JSON, as the Redis cache stores it: readable from any language, and unlike a
            # pickle it runs no code when read back
            self.client.set(key, json.dumps(value), expire=ttl)
        except (MemcacheError, OSError) as error:  # e.g. over 1 MB: "object too large"
            logger.warning("could not cache %s (%s); serving the fresh value", key, error)

    def _wait_or_lock(self, key: str) -> tuple[bytes | None, str | None]:
        """Return (value, None) once another caller stored it, or (None, token) once WE lock."""
        lock_key, token = f"{key}{LOCK_SUFFIX}", uuid.uuid4().hex
        deadline = time.monotonic() + self.wait_seconds  # fixed: no caller waits longer
        # `add` stores only when the key does not exist: exactly one caller gets True
        while not self.client.add(lock_key, token, expire=self.lock_seconds):
            time.sleep(0.01)  # another caller is querying: wait for its value
            cached = self.client.get(key)
            if cached is not None:
                return cached, None
            if time.monotonic() > deadline:
                logger.warning("waited %.1fs for %s; loading it myself", self.wait_seconds, key)
                return None, None
        # re-check: the previous lock holder may have stored it between our get and add
        cached = self.client.get(key)
        if cached is not None:
            self._unlock(key, token)
            return cached, None
        return None, token

    def _unlock(self, key: str, token: str) -> None:
        # delete the lock only while it holds OUR token (it may have expired and been taken
        # by another caller): read it with its CAS unique, then delete only that version
        lock_key = f"{key}{LOCK_SUFFIX}"
        try:
            held, cas_unique = self.client.gets(lock_key)
            if held == token.encode():
                delete_if_unchanged(self.client, lock_key, cas_unique)
        except (MemcacheError, OSError) as error:
            logger.warning("could not release %s (%s); it expires by itself", lock_key, error)

    def invalidate(self, name: str) -> None:
        """Delete a cached value (call it after the write that made it stale)."""
        try:
            self.client.delete(self.key(name))
        except (MemcacheError, OSError) as error:
            logger.warning("could not invalidate %s (%s); it expires with its TTL", name, error)
