"""Rate limiting per client with Redis: a fixed window counted by one atomic Lua script.

Every app process shares the count in Redis, so the limit holds however many processes
serve the API. Over the limit, the client gets `429 Too Many Requests` with `Retry-After`
(RFC 6585, 4; RFC 9110, 10.2.3): the seconds until its window ends.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import redis

logger = logging.getLogger(__name__)

# INCR and PEXPIRE in one script: a crash between the two can never leave a key that
# counts forever; Redis runs a script without interleaving other clients' commands
COUNT_IN_WINDOW = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
"""


@dataclass(frozen=True)
class Decision:
    """Whether a request may go on and, if not, how many seconds to wait."""

    allowed: bool
    retry_after: int = 0


class RateLimiter:
    """At most `limit` requests per client in each window of `window_seconds`."""

    def __init__(
        self, client: redis.Redis, *, prefix: str, limit: int, window_seconds: int
    ) -> None:
        self.count_in_window = client.register_script(COUNT_IN_WINDOW)
        self.prefix, self.limit, self.window_ms = prefix, limit, window_seconds * 1000

    def check(self, client_id: str) -> Decision:
        """Count one request of this client; refuse it if the window is full."""
        try:
            count, ttl_ms = self.count_in_window(
                keys=[f"{self.prefix}rate:{client_id}"], args=[self.window_ms]
            )
        except redis.RedisError as error:
            # fail open: a Redis outage must not take the whole API down with it; the
            # readiness probe reports Redis as down, and an alert fires from there
            logger.warning("rate limiter unavailable, request allowed: %s", error)
            return Decision(allowed=True)
        if count <= self.limit:
            return Decision(allowed=True)
        return Decision(allowed=False, retry_after=max(1, math.ceil(ttl_ms / 1000)))


def make_redis(redis_url: str) -> redis.Redis:
    """A Redis client that fails in about a second when Redis is down, instead of hanging."""
    return redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
