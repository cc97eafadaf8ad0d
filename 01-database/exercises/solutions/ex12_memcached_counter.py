"""Count page views in Memcached without losing the first ones: the reference solution."""

from __future__ import annotations

from collections.abc import Callable

from pymemcache.client.base import PooledClient

ATTEMPTS = 5  # Memcached may evict the counter between our add and incr: try again


def count_view(
    client: PooledClient, key: str, *, between: Callable[[], None] = lambda: None
) -> int:
    """Add one view to the counter at `key` (creating it at 1); return the new count."""
    for _ in range(ATTEMPTS):
        count = client.incr(key, 1)  # atomic on the server; None when there is no counter yet
        if count is not None:
            return int(count)
        between()
        if client.add(key, "1"):  # stored only if nobody created it since our incr
            return 1
        # another request created it first: count on top, unless it was evicted meanwhile
    raise RuntimeError(f"{key}: the counter vanished {ATTEMPTS} times in a row")
