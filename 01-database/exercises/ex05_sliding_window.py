"""A sliding-window rate limiter with a sorted set: no burst at the window's edge.

`redis_structures.allow_request` counts requests in FIXED windows (12:00:00-12:00:59, ...).
Its weakness: a client can send `limit` requests at 12:00:59 and `limit` more at 12:01:00,
twice the limit within two seconds. Write `allow_request(client, *, prefix, user, limit,
window_seconds, now)` so that it allows a request only if fewer than `limit` requests were
ALLOWED in the `window_seconds` before `now` (a sliding window). Refused requests do not
count. Use one sorted set per user under `prefix`, scored by time, and give it an expiry so
that idle users' keys disappear. Redis 6.2 commands only. `window_seconds` must be positive:
refuse 0 or less with ValueError (an EXPIRE of 0 or less deletes the key).

It must hold under concurrency: twenty requests of one user arriving at the same moment with
`limit=5` let exactly five through. Counting and recording in separate commands lets two
requests both see "limit - 1" and both pass, so the check and the write must be one atomic
step: one Lua script (the simplest), or WATCH/MULTI/EXEC with a retry. Under WATCH each
contender may lose to every other one, so twenty at once may need up to twenty attempts; a
retry bound must be that generous, and running out of attempts must raise, never refuse (a
refusal then reports "over the limit" when it was not). The check makes another client change
the key after each of your first 1,000 WATCHes, so a loop that gives up and refuses fails it.

Check your work with `.venv/bin/course check 01 ex05` (or `course check 01 ex05` after
`source .venv/bin/activate`); ask for a hint with `.venv/bin/course hint 01 ex05`.
"""

from __future__ import annotations

import redis


def allow_request(
    client: redis.Redis, *, prefix: str, user: str, limit: int, window_seconds: float, now: float
) -> bool:
    """Return True (and record the request) if fewer than `limit` were allowed in the window."""
    # TODO: in ONE atomic step (a Lua script run with client.register_script): drop the
    # entries older than now - window_seconds (ZREMRANGEBYSCORE), count the rest (ZCARD);
    # if under the limit, ZADD this request (a unique member, scored `now`) and EXPIRE the key
    raise NotImplementedError("TODO: implement the sliding-window limiter")
