"""Reference solution for ex05: a sliding-window rate limiter with a sorted set."""

from __future__ import annotations

import math
import uuid

import redis


def allow_request(
    client: redis.Redis, *, prefix: str, user: str, limit: int, window_seconds: float, now: float
) -> bool:
    """Return True (and record the request) if fewer than `limit` were allowed in the window."""
    key = f"{prefix}:sliding:{user}"
    with client.pipeline() as pipe:
        while True:
            try:
                # WATCH: two concurrent requests must not both see limit - 1 and both pass
                pipe.watch(key)
                pipe.zremrangebyscore(key, "-inf", f"({now - window_seconds}")
                if pipe.zcard(key) >= limit:
                    pipe.unwatch()
                    return False
                pipe.multi()
                pipe.zadd(key, {f"{now}:{uuid.uuid4().hex}": now})
                pipe.expire(key, math.ceil(window_seconds))
                pipe.execute()
                return True
            except redis.WatchError:
                continue
