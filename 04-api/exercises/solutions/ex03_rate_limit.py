"""A sliding-window rate limit in Redis: the reference solution, one Lua script."""

from __future__ import annotations

import uuid

import redis

# Redis runs a script without interleaving other commands: the count and the add are one step
SLIDING_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + ARGV[2] - ARGV[1]
"""


def allow(
    client: redis.Redis, key: str, limit: int, window_ms: int, now_ms: int
) -> tuple[bool, int]:
    """Count a request in the sliding window; (allowed, milliseconds to wait if refused)."""
    script = client.register_script(SLIDING_WINDOW)
    member = f"{now_ms}-{uuid.uuid4().hex}"  # two requests in one millisecond are two members
    wait_ms = int(script(keys=[key], args=[now_ms, window_ms, limit, member]))
    return wait_ms == 0, wait_ms
