"""Lease a Redis logical database to one test process, so that runs at once never share one.

The tests flush their Redis database before and after each test. Two pytest runs against one
server (`make test` in one terminal, a lesson script running the suite in another, a class on
one shared server) must therefore never get the same database: each worker process leases a
free one of databases 1-15 with `SET key token NX PX ttl` in database 0 (redis-py's `Lock`),
renews it around each test and releases it at the end of its session. The lease has a TTL, so
a run that crashed frees its database within `LEASE_SECONDS`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger(__name__)

LEASED_DATABASES = range(1, 16)  # Redis has 16 logical databases; 0 is left to scripts
LEASE_PREFIX = "course:test-redis-db:"  # + the number, in database 0; the value names the holder
LEASE_SECONDS = 600  # renewed by every test: longer than any one test, short after a crash


class RedisLeaseError(Exception):
    """No database could be leased, or a lease ran out and another run took it."""


def logical_database_url(url: str, number: int) -> str:
    """The same server's URL on logical database `number`."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))


class RedisDatabaseLease:
    """One process's lease on one logical database of the Redis server at `url`."""

    def __init__(self, url: str, seconds: float = LEASE_SECONDS, prefix: str = LEASE_PREFIX):
        import redis

        self.url, self.seconds, self.prefix = url, seconds, prefix
        self.client = redis.Redis.from_url(logical_database_url(url, 0))
        # the holder's name, shown to a run that finds every database taken
        self.token = f"pid {os.getpid()} on {socket.gethostname()} ({uuid.uuid4().hex[:8]})"
        self.lock = None
        self.number: int | None = None

    def _lock(self, number: int):
        # thread_local=False: the process holds the lease, whichever thread renews it
        return self.client.lock(f"{self.prefix}{number}", timeout=self.seconds, thread_local=False)

    def acquire(self) -> int:
        """Lease the first free database and return its number."""
        for number in LEASED_DATABASES:
            lock = self._lock(number)
            if lock.acquire(blocking=False, token=self.token):
                self.lock, self.number = lock, number
                logger.debug("leased Redis database %d as %s", number, self.token)
                return number
        raise RedisLeaseError(self._all_taken())

    def renew(self) -> None:
        """Extend the lease; take it again if it ran out and no one else took it."""
        from redis.exceptions import LockNotOwnedError

        try:
            self.lock.reacquire()
        except LockNotOwnedError:
            if not self.lock.acquire(blocking=False, token=self.token):
                raise RedisLeaseError(
                    f"this test run's lease on Redis database {self.number} ran out (no "
                    f"Redis test for {self.seconds:.0f} s) and another run took it: run the "
                    f"tests again"
                ) from None

    def release(self) -> None:
        """Give the database back (a no-op if the lease already ran out)."""
        from redis.exceptions import LockError

        if self.lock is not None:
            # ran out or taken: nothing of ours is left to free
            with contextlib.suppress(LockError):
                self.lock.release()
        self.client.close()

    def _all_taken(self) -> str:
        keys = [f"{self.prefix}{number}" for number in LEASED_DATABASES]
        # "pid 123 on host": one entry per process, not per random suffix
        holders = sorted({v.decode().rsplit(" (", 1)[0] for v in self.client.mget(keys) if v})
        where = urlsplit(self.url)
        return (
            f"all {len(LEASED_DATABASES)} Redis databases at {where.hostname}:{where.port} are "
            f"leased by other test runs ({', '.join(holders)}): wait for them to finish (the "
            f"lease of a crashed run runs out within {self.seconds:.0f} s), or delete the keys "
            f"{self.prefix}* in database 0 (`course reset-services` or a "
            f"restart of that Redis clears them too)"
        )
