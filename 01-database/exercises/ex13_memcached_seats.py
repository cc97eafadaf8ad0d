"""Reserve seats in a cached seating plan with gets and cas, losing no reservation.

The seating plan of one show is a JSON object in Memcached, seat to user:
`{"A1": "ada", "A2": "grace"}`. Write `reserve(client, key, *, seat, user)`: it returns True
when this call reserved `seat` for `user`, and False when the seat is already held (changing
nothing), by someone else or by `user` from an earlier call: a held seat is never reserved
again. Two users reserving DIFFERENT seats at the same moment must both
get theirs; two users wanting the SAME seat: exactly one wins. A get, change and set loses one
of two concurrent reservations: read with `gets` (the value and its CAS unique), store with
`cas`, and read again when `cas` answers False. Try at most 20 times: if `cas` still fails,
raise a RuntimeError that says so (a plan that busy means something is wrong). The plan always
exists (the test creates it). Call `between()` after each read and before your write: the
test pauses two users there.

`memcached_cas.py` does the same for a list. Check with `.venv/bin/course check 01 ex13`.
"""

from __future__ import annotations

from collections.abc import Callable

from pymemcache.client.base import PooledClient


def reserve(
    client: PooledClient,
    key: str,
    *,
    seat: str,
    user: str,
    between: Callable[[], None] = lambda: None,
) -> bool:
    """Give `seat` to `user` unless someone else holds it; return whether `user` got it."""
    # TODO: loop: raw, unique = client.gets(key); plan = json.loads(raw); between();
    # if the seat is taken, return False; else client.cas(key, json.dumps(plan), unique)
    raise NotImplementedError("TODO: reserve the seat with gets and cas")
