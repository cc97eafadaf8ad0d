"""Brute-force defence: failed logins counted per account and per IP address in Redis.

Every attempt is counted BEFORE its password is checked, in one Lua script: counting after
the (slow) check would let many concurrent guesses all read "no failures yet" and all be
checked. The `limit`-th attempt locks the account for a delay that doubles with every
further attempt, up to `max_seconds`; each lock ends, but an attacker who keeps guessing can
keep renewing it. So attempts from a browser with a valid device cookie for the account
(`auth_devices.py`) are counted and locked per device, apart from everyone else's: the
attacker's lock does not stop the victim's own browser. The per-IP counter limits one
address trying many accounts (password spraying); it counts a known device's attempts too but
never refuses them (its own counter bounds them), so a neighbour behind the same NAT or proxy
cannot lock the owner's known browser out. A success clears its counter.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import redis

# KEYS: account counter, account lock, IP counter
# ARGV: limit, base, max, ip_limit, window, known device (1) or untrusted client (0)
BEGIN = """
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return locked end
local ip = redis.call('INCR', KEYS[3])
if ip == 1 then redis.call('EXPIRE', KEYS[3], ARGV[5]) end
if ip > tonumber(ARGV[4]) and ARGV[6] == '0' then
  return math.max(1, redis.call('PTTL', KEYS[3]))
end
local attempts = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
local limit = tonumber(ARGV[1])
if attempts >= limit then
  local seconds = math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) * 2 ^ (attempts - limit))
  redis.call('SET', KEYS[2], '1', 'PX', math.floor(seconds * 1000))
end
return 0
"""


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

    def _subject(self, email: str, device: str | None) -> str:
        # untrusted clients share the account's counter; a known device has its own. The full
        # SHA-256: a short digest would let a look-alike address share (and clear) the lock
        normalised = email.strip().lower().encode()
        return f"device:{device}" if device else hashlib.sha256(normalised).hexdigest()

    def _account_key(self, email: str, device: str | None = None) -> str:
        return f"{self.prefix}fails:account:{self._subject(email, device)}"

    def _ip_key(self, ip: str) -> str:
        return f"{self.prefix}fails:ip:{ip}"

    def _lock_key(self, email: str, device: str | None = None) -> str:
        return f"{self.prefix}locked:{self._subject(email, device)}"

    def begin(self, email: str, ip: str, device: str | None = None) -> int:
        """Count an attempt before its password is checked; return the seconds to wait (0: go).

        `device` is the nonce of a valid device cookie for this account, or None.
        """
        keys = self._account_key(email, device), self._lock_key(email, device), self._ip_key(ip)
        args = self.limit, self.base_seconds, self.max_seconds, self.ip_limit, self.window_seconds
        args += (1 if device else 0,)
        wait_ms = int(self.client.eval(BEGIN, 3, *keys, *args))
        return math.ceil(wait_ms / 1000)

    def record_success(self, email: str, ip: str, device: str | None = None) -> None:
        """Forget the attempts of this client after a correct password, and the IP's one."""
        with self.client.pipeline() as pipe:
            pipe.delete(self._account_key(email, device), self._lock_key(email, device))
            pipe.decr(self._ip_key(ip))
            pipe.execute()
