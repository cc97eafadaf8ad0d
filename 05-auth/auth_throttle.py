"""Brute-force defence: failed logins counted per account and per IP address in Redis.

After `limit` failures an account is locked for a delay that doubles with every further
failure, up to `max_seconds`; the lock always ends, so an attacker who types a victim's email
can delay them, not lock them out for good. The per-IP counter limits one address trying
many accounts (password spraying). A success clears the account's counter.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis
from auth_audit import email_digest


@dataclass
class Throttle:
    """Count failures and say how long a login must wait."""

    client: redis.Redis
    prefix: str
    limit: int = 5
    base_seconds: int = 1
    max_seconds: int = 15 * 60
    ip_limit: int = 100
    window_seconds: int = 15 * 60

    def _account_key(self, email: str) -> str:
        return f"{self.prefix}fails:account:{email_digest(email)}"

    def _ip_key(self, ip: str) -> str:
        return f"{self.prefix}fails:ip:{ip}"

    def _lock_key(self, email: str) -> str:
        return f"{self.prefix}locked:{email_digest(email)}"

    def retry_after(self, email: str, ip: str) -> int:
        """Return the seconds to wait before this login may be tried (0: go ahead)."""
        locked = self.client.pttl(self._lock_key(email))
        if locked > 0:
            return max(1, -(-locked // 1000))
        ip_failures = int(self.client.get(self._ip_key(ip)) or 0)
        if ip_failures >= self.ip_limit:
            return max(1, self.client.ttl(self._ip_key(ip)))
        return 0

    def record_failure(self, email: str, ip: str) -> int:
        """Count a failure; lock the account when over the limit; return the lock in seconds."""
        with self.client.pipeline() as pipe:  # MULTI/EXEC: the counters and their expiry together
            pipe.incr(self._account_key(email))
            pipe.expire(self._account_key(email), self.window_seconds)
            pipe.incr(self._ip_key(ip))
            pipe.expire(self._ip_key(ip), self.window_seconds, nx=True)
            failures = pipe.execute()[0]
        if failures < self.limit:
            return 0
        seconds = min(self.max_seconds, self.base_seconds * 2 ** (failures - self.limit))
        self.client.set(self._lock_key(email), 1, ex=seconds)
        return seconds

    def record_success(self, email: str) -> None:
        """Forget the account's failures after a correct password."""
        self.client.delete(self._account_key(email), self._lock_key(email))
