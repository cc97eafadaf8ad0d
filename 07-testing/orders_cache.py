"""Order statuses cached in Redis, so the status page does not query PostgreSQL each time.

Redis returns bytes (`b"paid"`) unless the client was made with `decode_responses=True`.
`OrderStatusCache` decodes them. `is_paid_naive` is THE WRONG WAY: it compares the bytes with
the string `"paid"`, which is always False; a test against a `Mock` that returns `"paid"`
passes anyway, which is the lesson's example of a mock that lies.
"""

from __future__ import annotations

import logging

import redis

logger = logging.getLogger(__name__)


class OrderStatusCache:
    """Each order's status under `<prefix>order:<reference>:status`, expiring after ttl_ms."""

    def __init__(self, client: redis.Redis, *, prefix: str = "", ttl_ms: int = 60_000) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl_ms = ttl_ms

    def key(self, reference: str) -> str:
        """Return the Redis key of an order's status."""
        return f"{self.prefix}order:{reference}:status"

    def remember(self, reference: str, status: str) -> None:
        """Cache an order's status for ttl_ms milliseconds."""
        self.client.set(self.key(reference), status, px=self.ttl_ms)

    def status(self, reference: str) -> str | None:
        """Return the cached status, or None when it is not cached (or expired)."""
        value = self.client.get(self.key(reference))
        if isinstance(value, bytes):  # a client without decode_responses=True
            value = value.decode()
        return value

    def is_paid(self, reference: str) -> bool:
        """Return True if the cached status is 'paid'."""
        return self.status(reference) == "paid"


def is_paid_naive(client: redis.Redis, reference: str) -> bool:
    """THE WRONG WAY: compare what Redis returned (bytes) with a str: never equal."""
    return client.get(f"order:{reference}:status") == "paid"
