"""A sliding-window rate limit in Redis: at most `limit` requests in any `window_ms`.

The lesson's limiter (`api_ratelimit.py`) counts in fixed windows: a client can send
`limit` requests at the end of one window and `limit` more at the start of the next, twice
the limit in a moment. Write `allow(client, key, limit, window_ms, now_ms)`, which counts
over a *sliding* window instead, with a Redis sorted set per client:

- remove the members scored at or before `now_ms - window_ms` (they left the window);
- if fewer than `limit` remain, add this request (score `now_ms`, a unique member) and
  return `(True, 0)`;
- else return `(False, retry_after_ms)`: how long until the oldest request leaves the
  window (`oldest score + window_ms - now_ms`), and add nothing (a refused request does not
  count);
- give the key an expiry of `window_ms`, so an idle client's key disappears.

Do it atomically: two app processes checking the same client at once must not both see
"one slot left". A Lua script (`client.register_script`) or a `MULTI`/`EXEC` pipeline with
`WATCH` both work; `now_ms` is passed in so the tests control the clock.

Check your work with `.venv/bin/course check 04 ex03`; a hint: `.venv/bin/course hint 04 ex03`.
"""

from __future__ import annotations

import redis


def allow(
    client: redis.Redis, key: str, limit: int, window_ms: int, now_ms: int
) -> tuple[bool, int]:
    """Count a request in the sliding window; (allowed, milliseconds to wait if refused)."""
    # TODO: ZREMRANGEBYSCORE, ZCARD, then ZADD or the oldest score, in one atomic step
    raise NotImplementedError("TODO: a sliding-window limit in a sorted set")
