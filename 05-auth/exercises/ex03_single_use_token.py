"""A single-use, expiring token in Redis, stored only as a digest.

Write `issue(client, user_id, seconds)` and `consume(client, token)`. `issue` makes a random
token (at least 128 bits, from `secrets`), stores the user id in Redis under a key made from
the token's SHA-256 digest (never the token itself) with a time to live of `seconds`, and
returns the token. `consume` returns the user id the first time a valid token is presented
and `None` ever after, and for an unknown or expired token. Two `consume` calls racing on
the same token must not both succeed: use one atomic Redis command.

`client` is a `redis.Redis` with `decode_responses=True`; put your keys under "ex03:".

Check your work with `.venv/bin/course check 05 ex03`; a hint: `.venv/bin/course hint 05 ex03`.
"""

from __future__ import annotations

import redis


def issue(client: redis.Redis, user_id: str, seconds: int) -> str:
    """Store a new single-use token for user_id and return it."""
    # TODO: secrets.token_urlsafe(32), a key from hashlib.sha256(token), SET with ex=seconds
    raise NotImplementedError("TODO: issue a token")


def consume(client: redis.Redis, token: str) -> str | None:
    """Return the token's user id the first time; None afterwards or if unknown."""
    # TODO: read and delete in one command, so that only one caller gets the user id
    raise NotImplementedError("TODO: consume a token once")
