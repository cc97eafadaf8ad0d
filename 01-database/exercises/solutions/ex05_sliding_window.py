"""Reference solution for ex05: a sliding-window rate limiter with a sorted set."""

from __future__ import annotations

import math
import uuid

import redis

# trim, count and add in one script: Redis runs it as one step, so two concurrent requests
# cannot both see `limit - 1` and both pass, and no WATCH retry loop is needed
SLIDING_WINDOW = """
redis.call('zremrangebyscore', KEYS[1], '-inf', '(' .. ARGV[2])
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('zadd', KEYS[1], ARGV[1], ARGV[4])
redis.call('expire', KEYS[1], ARGV[5])
return 1
"""


def allow_request(
    client: redis.Redis, *, prefix: str, user: str, limit: int, window_seconds: float, now: float
) -> bool:
    """Return True (and record the request) if fewer than `limit` were allowed in the window."""
    if window_seconds <= 0:
        # EXPIRE with 0 or less deletes the key: every request would pass
        raise ValueError(f"window_seconds must be positive, got {window_seconds}")
    script = client.register_script(SLIDING_WINDOW)
    member = f"{now}:{uuid.uuid4().hex}"  # unique, so two requests at one instant both count
    allowed = script(
        keys=[f"{prefix}:sliding:{user}"],
        args=[repr(now), repr(now - window_seconds), limit, member, math.ceil(window_seconds)],
    )
    return allowed == 1
