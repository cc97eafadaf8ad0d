"""A single-use, expiring token in Redis, stored only as a digest: the reference solution."""

from __future__ import annotations

import hashlib
import secrets

import redis


def token_key(token: str) -> str:
    """Return the Redis key of a token: its digest, so Redis never holds a usable token."""
    return f"ex03:{hashlib.sha256(token.encode()).hexdigest()}"


def issue(client: redis.Redis, user_id: str, seconds: int) -> str:
    """Store a new single-use token for user_id and return it."""
    token = secrets.token_urlsafe(32)
    client.set(token_key(token), user_id, ex=seconds)
    return token


def consume(client: redis.Redis, token: str) -> str | None:
    """Return the token's user id the first time; None afterwards or if unknown."""
    return client.getdel(token_key(token))  # read and delete in one atomic command
