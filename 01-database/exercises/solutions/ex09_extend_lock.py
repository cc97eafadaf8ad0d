"""Extend a Redis lock only while you still own it: the reference solution."""

from __future__ import annotations

import redis

# the owner check and the extension run as one step on the server: nothing can come between
EXTEND_IF_OWNER = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


def extend_lock(client: redis.Redis, *, key: str, token: str, ttl_ms: int) -> bool:
    """Reset the lock's expiry to `ttl_ms` if it still holds `token`; return whether it did."""
    if ttl_ms <= 0:
        # PEXPIRE with a time that is not positive deletes the key and answers 1: the worker
        # would believe it still holds a lock that is gone
        raise ValueError(f"ttl_ms must be positive, got {ttl_ms}: pass the new expiry in ms")
    extend = client.register_script(EXTEND_IF_OWNER)
    return extend(keys=[key], args=[token, ttl_ms]) == 1
