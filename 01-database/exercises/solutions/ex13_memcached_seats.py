"""Reserve seats in a cached seating plan with gets and cas: the reference solution."""

from __future__ import annotations

import json
from collections.abc import Callable

from pymemcache.client.base import PooledClient

ATTEMPTS = 20  # a seat map this busy means something is wrong: stop instead of spinning


def reserve(
    client: PooledClient,
    key: str,
    *,
    seat: str,
    user: str,
    between: Callable[[], None] = lambda: None,
) -> bool:
    """Give `seat` to `user` unless someone else holds it; return whether `user` got it."""
    for _ in range(ATTEMPTS):
        raw, unique = client.gets(key)
        plan = json.loads(raw)
        between()
        if plan.get(seat) is not None:
            return False  # taken (by an earlier call of this user too: not reserved NOW)
        plan[seat] = user
        if client.cas(key, json.dumps(plan), unique):  # False: changed since our gets
            return True
    raise RuntimeError(f"{key}: the plan changed {ATTEMPTS} times while reserving {seat}")
