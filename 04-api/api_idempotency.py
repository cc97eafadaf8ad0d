"""Idempotency keys: a POST retried with the same `Idempotency-Key` creates once, replays after.

The key's row is inserted in the same transaction as the book. A concurrent retry's INSERT
of the same key waits on PostgreSQL's unique index until the first transaction ends; then it
sees the stored response and replays it. No check-then-insert window, no second book.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api_models import IdempotencyKey
from api_problems import ApiProblem
from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for "lock_timeout reached"


@dataclass(frozen=True)
class StoredResponse:
    """A response to send: the first one, or its replay."""

    status: int
    body: dict[str, Any]
    location: str | None
    replayed: bool = False


def parse_key(header: str | None) -> str | None:
    """The key of an `Idempotency-Key` header (quoted as the IETF draft has it, or bare)."""
    if header is None:
        return None
    key = header.strip().removeprefix('"').removesuffix('"')
    if not 1 <= len(key) <= 200 or not key.isprintable():
        raise ApiProblem(400, "Idempotency-Key must be 1 to 200 printable characters")
    return key


def fingerprint(method: str, path: str, payload: dict[str, Any]) -> str:
    """A digest of what was asked: the same key with another request is an error."""
    canonical = json.dumps([method, path, payload], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def respond_once(
    client: str,
    key: str,
    request_fingerprint: str,
    create: Callable[[], StoredResponse],
    *,
    session: Session,
    wait_ms: int = 2000,
) -> StoredResponse:
    """Run `create` for the first request with this key; replay its response to every retry."""
    # a waiting retry holds a pooled connection: bound the wait, so a burst of retries of one
    # slow request cannot drain the pool; past it, the draft's 409 "still being processed"
    session.execute(text(f"SET LOCAL lock_timeout = {int(wait_ms)}"))
    try:
        claimed = session.execute(
            insert(IdempotencyKey)
            .values(client=client, key=key, fingerprint=request_fingerprint)
            .on_conflict_do_nothing()  # a concurrent holder of the key makes this wait, then skip
            .returning(IdempotencyKey.key)
        ).first()
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        raise ApiProblem(
            409,
            "a request with this Idempotency-Key is still being processed; retry later",
            slug="idempotency-key-in-use",
            headers={"Retry-After": "1"},
        ) from None
    session.execute(text("SET LOCAL lock_timeout TO DEFAULT"))  # the work itself may wait
    if claimed is None:
        # the conflicting transaction has committed (had it rolled back, we would have claimed
        # the key), so this new statement sees its row, response and all
        stored = session.get_one(IdempotencyKey, (client, key))
        if stored.fingerprint != request_fingerprint:
            raise ApiProblem(
                422,
                "this Idempotency-Key was used for a different request; use a new key",
                slug="idempotency-key-reused",
            )
        return StoredResponse(stored.status or 0, stored.body or {}, stored.location, replayed=True)
    response = create()
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.client == client, IdempotencyKey.key == key)
        .values(status=response.status, body=response.body, location=response.location)
    )
    return response
