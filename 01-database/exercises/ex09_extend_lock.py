"""Extend a Redis lock only while you still own it, atomically.

A worker holds a lock taken with `SET key token NX PX ttl` and, for a long job, must extend
it before it expires. Write `extend_lock(client, *, key, token, ttl_ms)`: it resets the
lock's expiry to `ttl_ms` (longer or shorter than what is left: PEXPIRE's GT would refuse a
shorter one) and returns True only if the lock still holds `token`; if another
worker owns it now, or it has expired and is gone, it changes nothing and returns False.
Between a GET and a PEXPIRE another worker can take the lock: check and extend in ONE atomic
step (a Lua script; the test sees every command your client sends, pipelines included, and
expects that one script call). WATCH/GET/MULTI/PEXPIRE/EXEC with a retry would be atomic too,
but it is five commands and a loop where one script call does it: this exercise asks for the
script, so the check refuses the transaction. Never recreate a missing lock. `ttl_ms` must be
positive: refuse 0 or less with ValueError, since PEXPIRE with such a time deletes the lock
(and answers 1, as if it had extended it). Pass the lock's key in the script's KEYS, not in
ARGV: Redis requires every key a script touches to be named there (Redis Cluster sends the
call to the node that holds those keys, and ACLs check them).

`redis_cache.py` releases its stampede lock with the same kind of owner check.

Check your work with `.venv/bin/course check 01 ex09`; a hint: `.venv/bin/course hint 01 ex09`.
"""

from __future__ import annotations

import redis


def extend_lock(client: redis.Redis, *, key: str, token: str, ttl_ms: int) -> bool:
    """Reset the lock's expiry to `ttl_ms` if it still holds `token`; return whether it did."""
    # TODO: refuse a ttl_ms that is not positive, then check the owner and extend the expiry
    # in one step that runs on the server, and return whether it extended the lock
    raise NotImplementedError("TODO: extend the lock atomically")
