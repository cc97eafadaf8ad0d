"""Redis data structures: counters for rate limiting, sorted sets, hashes.

Run `python 01-database/redis_structures.py`. You will see a fixed-window rate limiter built
from INCR and EXPIRE let 5 requests through and refuse the 6th; a leaderboard in a sorted set
(ZINCRBY, top N, a player's rank); and a session stored in a hash that expires when idle.
Every function takes a key prefix, so tests, scripts and notebooks never share keys.
"""

from __future__ import annotations

import logging
import time

import redis

logger = logging.getLogger(__name__)


def allow_request(
    client: redis.Redis,
    *,
    prefix: str,
    user: str,
    limit: int,
    window_seconds: int,
    now: float | None = None,
) -> bool:
    """Count a request in the current fixed window; return False once `limit` is exceeded."""
    if window_seconds <= 0:  # no window to divide time into; EXPIRE 0 would delete the count
        raise ValueError(f"window_seconds must be positive, got {window_seconds}")
    window = int((time.time() if now is None else now) // window_seconds)
    key = f"{prefix}:rate:{user}:{window}"  # one counter per user per window
    with client.pipeline() as pipe:  # MULTI/EXEC: the count and its expiry go together
        pipe.incr(key)
        pipe.expire(key, window_seconds)
        count, _ = pipe.execute()
    return count <= limit


def add_score(client: redis.Redis, *, prefix: str, player: str, points: float) -> float:
    """Add points to a player's score; return the new score."""
    return client.zincrby(f"{prefix}:leaderboard", points, player)


def top_players(client: redis.Redis, *, prefix: str, count: int) -> list[tuple[str, float]]:
    """Return the `count` best players with their scores, best first."""
    # ZRANGE ... BYSCORE REV LIMIT: redis-py's zrange(desc=True) without a LIMIT still sends
    # ZREVRANGE, deprecated since Redis 6.2
    return client.zrange(
        f"{prefix}:leaderboard",
        "+inf",
        "-inf",
        desc=True,
        byscore=True,
        offset=0,
        num=count,
        withscores=True,
    )


def rank_of(client: redis.Redis, *, prefix: str, player: str) -> int | None:
    """Return a player's 1-based rank, or None if they have no score."""
    rank = client.zrevrank(f"{prefix}:leaderboard", player)
    return None if rank is None else rank + 1


def save_session(
    client: redis.Redis, *, prefix: str, session_id: str, fields: dict, idle_seconds: int
) -> None:
    """Store a session as a hash that expires after `idle_seconds` without use."""
    key = f"{prefix}:session:{session_id}"
    with client.pipeline() as pipe:
        pipe.hset(key, mapping=fields)
        pipe.expire(key, idle_seconds)
        pipe.execute()


# HINCRBY on a missing key creates it: check and update in one atomic script instead
TOUCH_SESSION = """
if redis.call('exists', KEYS[1]) == 0 then return false end
redis.call('hincrby', KEYS[1], 'page_views', 1)
redis.call('expire', KEYS[1], ARGV[1])
return redis.call('hgetall', KEYS[1])
"""


def touch_session(
    client: redis.Redis, *, prefix: str, session_id: str, idle_seconds: int
) -> dict[str, str] | None:
    """Count a page view and restart the idle timer; return the fields, or None if expired."""
    # register_script sends EVALSHA (the script's hash), and the body only if the server lacks it
    touch = client.register_script(TOUCH_SESSION)
    flat = touch(keys=[f"{prefix}:session:{session_id}"], args=[idle_seconds])
    # a script's false arrives as None; HGETALL's reply arrives as a flat [field, value, ...]
    return None if flat is None else dict(zip(flat[::2], flat[1::2], strict=True))


def session_exists(client: redis.Redis, *, prefix: str, session_id: str) -> bool:
    """Return True while the session has not expired."""
    return client.exists(f"{prefix}:session:{session_id}") == 1


def delete_namespace(client: redis.Redis, prefix: str) -> int:
    """Delete every key under `prefix:` (SCAN, never KEYS, on a shared server)."""
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    return client.delete(*keys) if keys else 0


def server_label(client: redis.Redis) -> str:
    """The server behind a Redis URL as it names itself: "Valkey 9.1.2" or "Redis 7.4.1"."""
    info = client.info("server")
    if "valkey_version" in info:
        return f"Valkey {info['valkey_version']}"
    return f"Redis {info['redis_version']}"


def main() -> None:
    import course
    from course.sandbox import unique_name

    settings = course.require("redis")
    logging.basicConfig(level=logging.WARNING)
    prefix = unique_name("redis_structures")  # scripts share db 0: keep to our own keys
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    with client:
        print("1. Rate limit: 5 requests per 60 s window (INCR + EXPIRE per window key)")
        verdicts = [
            allow_request(client, prefix=prefix, user="ada", limit=5, window_seconds=60)
            for _ in range(6)
        ]
        print(f"   six requests -> {['allowed' if v else 'REFUSED' for v in verdicts]}")
        print("2. Leaderboard in a sorted set")
        for player, points in [("ada", 30), ("grace", 50), ("linus", 20), ("ada", 25)]:
            add_score(client, prefix=prefix, player=player, points=points)
        print(f"   top 3: {top_players(client, prefix=prefix, count=3)}")
        print(f"   ada's rank: {rank_of(client, prefix=prefix, player='ada')}")
        print("3. A session in a hash, expiring after 1 s idle")
        save_session(client, prefix=prefix, session_id="s1", fields={"user": "ada"}, idle_seconds=1)
        fields = touch_session(client, prefix=prefix, session_id="s1", idle_seconds=1)
        print(
            f"   fields {fields}; exists: {session_exists(client, prefix=prefix, session_id='s1')}"
        )
        time.sleep(1.2)
        print(
            f"   after 1.2 s idle, exists: {session_exists(client, prefix=prefix, session_id='s1')}"
        )
        late = touch_session(client, prefix=prefix, session_id="s1", idle_seconds=1)
        print(f"   a late page view gets {late}: the expired session is not brought back")
        print(f"4. Cleaned up {delete_namespace(client, prefix)} keys under {prefix}")
    print(
        "Conclusion: pick the structure that matches the question; Redis does the work "
        "atomically on the server."
    )


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
