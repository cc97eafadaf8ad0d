"""A safe read-modify-write in Memcached: `gets` and `cas` (check and set) instead of get/set.

Two writers append an order id to the same cached list of "recent orders". The WRONG WAY
reads the list with `get`, changes it in Python and writes it back with `set`: when both read
before either writes, the second `set` overwrites the first and an order is lost. The fix
reads with `gets`, which also returns the item's CAS unique (a 64-bit number the server
changes on every write), and writes with `cas`, which stores only while that number is
unchanged; a writer that lost the race reads again and retries. It is the optimistic locking
of part 1b (a version column), done by the cache server itself.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pymemcache.client.base import PooledClient

logger = logging.getLogger(__name__)

ORDERS = ("order-1", "order-2")  # what the two racing writers append


class TooMuchContention(RuntimeError):
    """Every `cas` attempt found that another writer had changed the value first."""


def no_pause() -> None:
    """Between the read and the write: nothing (a test pauses here to force the race)."""


def append_naive(
    client: PooledClient, key: str, item: Any, *, between: Callable[[], None] = no_pause
) -> None:
    """WRONG WAY: read the list, append, write it back; a concurrent append can be lost."""
    raw = client.get(key)
    items = json.loads(raw) if raw is not None else []
    between()  # another writer may write here: our `set` will overwrite what it wrote
    items.append(item)
    client.set(key, json.dumps(items))


def update_with_cas(
    client: PooledClient,
    key: str,
    change: Callable[[Any], Any],
    *,
    default: Any = None,
    attempts: int = 20,
    between: Callable[[], None] = no_pause,
) -> Any:
    """Apply `change` to the value at `key` without losing concurrent updates; return it.

    `gets` reads the value and its CAS unique; `cas` stores the new value only while the
    unique is unchanged, and answers False when another writer got there first: read again.
    A missing key is created with `add`, which also refuses when another writer was first.
    """
    for attempt in range(1, attempts + 1):
        raw, cas_unique = client.gets(key)
        current = json.loads(raw) if raw is not None else default
        between()
        new_value = change(current)
        payload = json.dumps(new_value)
        if cas_unique is None:
            stored = client.add(key, payload)  # no item yet: only one creator wins
        else:
            # True: stored; False: EXISTS, changed since our gets; None: deleted meanwhile
            stored = client.cas(key, payload, cas_unique)
        if stored:
            return new_value
        logger.info("%s changed under us (attempt %d); reading it again", key, attempt)
    raise TooMuchContention(f"{key}: {attempts} writers in a row were faster; try again later")


def append_with_cas(
    client: PooledClient, key: str, item: Any, *, between: Callable[[], None] = no_pause
) -> list:
    """Append `item` to the list at `key`, retrying on conflict; return the list stored."""
    return update_with_cas(client, key, lambda items: [*items, item], default=[], between=between)


def race_two_writers(
    append: Callable[..., Any], client: PooledClient, key: str, *, existing: bool = True
) -> list:
    """Have two threads append "order-1" and "order-2" at once, both reading before either
    writes (a barrier between read and write, on the first attempt); return the list stored."""
    if existing:  # an existing list: the writers race on `cas`; else both create it (`add`)
        client.set(key, json.dumps([]))
    both_have_read = threading.Barrier(2, timeout=5)
    first_attempt = threading.local()

    def between() -> None:
        if not getattr(first_attempt, "done", False):  # a retry must not wait for a partner
            first_attempt.done = True
            both_have_read.wait()

    with ThreadPoolExecutor(max_workers=2) as pool:
        writes = [pool.submit(append, client, key, item, between=between) for item in ORDERS]
        for write in writes:
            write.result()
    return json.loads(client.get(key))
