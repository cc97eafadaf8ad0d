"""A client for the bookshop API: timeouts, retries that are safe, pages, problems as errors.

`BooksClient` wraps an `httpx2.Client` (the maintained continuation of httpx, same API). It
retries a request only when repeating it cannot do harm: an idempotent method (GET, PUT,
DELETE), or a POST that carries an `Idempotency-Key`, with exponential backoff and full jitter.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx2

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}  # RFC 9110, 9.2.2
RETRY_STATUSES = {429, 502, 503, 504}  # the server says "not now", not "never"


class ProblemError(Exception):
    """An API error, from its RFC 9457 problem details."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}")
        self.status, self.problem = status, problem


def make_http_client(base_url: str, *, timeout_seconds: float = 5.0) -> httpx2.Client:
    """An HTTP client that never waits forever: 2 s to connect, `timeout_seconds` to read."""
    return httpx2.Client(base_url=base_url, timeout=httpx2.Timeout(timeout_seconds, connect=2.0))


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Full jitter: a random wait up to base * 2**attempt, so retrying clients spread out."""
    return rng.uniform(0, min(cap, base * 2**attempt))


class BooksClient:
    """Typed calls to `/api/v1/books`, with safe retries."""

    def __init__(
        self,
        http: httpx2.Client,
        *,
        attempts: int = 4,
        backoff_base: float = 0.1,
        backoff_cap: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.http, self.attempts, self.sleep = http, attempts, sleep
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.rng = rng or random.Random()
        self.waits: list[float] = []  # every pause taken, for a log line or a test

    def request(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a request, retrying when that is safe; raise ProblemError for a 4xx or 5xx."""
        headers = kwargs.get("headers") or {}
        retryable = method in IDEMPOTENT_METHODS or "Idempotency-Key" in headers
        for attempt in range(self.attempts):
            last_try = attempt == self.attempts - 1 or not retryable
            try:
                response = self.http.request(method, url, **kwargs)
            except httpx2.TransportError as error:  # refused, reset, timed out
                if last_try:
                    raise
                logger.warning("%s %s failed (%s); retrying", method, url, error)
                self.pause(attempt, None)
                continue
            if response.status_code in RETRY_STATUSES and not last_try:
                self.pause(attempt, response.headers.get("Retry-After"))
                continue
            if response.status_code >= 400:
                raise ProblemError(response.status_code, problem_of(response))
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    def pause(self, attempt: int, retry_after: str | None) -> None:
        """Wait before the next attempt: what the server asked for, else a jittered backoff."""
        if retry_after is not None and retry_after.isdigit():
            wait = min(float(retry_after), self.backoff_cap * 10)
        else:
            wait = backoff_delay(
                attempt, base=self.backoff_base, cap=self.backoff_cap, rng=self.rng
            )
        self.waits.append(wait)
        self.sleep(wait)

    def create(self, book: dict[str, Any], *, idempotency_key: str | None = None) -> dict:
        """Create a book; the key (a fresh UUID by default) makes every retry safe."""
        key = idempotency_key or str(uuid.uuid4())
        headers = {"Idempotency-Key": f'"{key}"'}
        return self.request("POST", "/api/v1/books", json=book, headers=headers).json()

    def get(self, book_id: int) -> tuple[dict, str]:
        """A book and its ETag."""
        response = self.request("GET", f"/api/v1/books/{book_id}")
        return response.json(), response.headers["ETag"]

    def replace(self, book_id: int, book: dict[str, Any], *, etag: str) -> tuple[dict, str]:
        """Replace a book if it is still the version `etag` names; ProblemError 412 if not."""
        response = self.request(
            "PUT", f"/api/v1/books/{book_id}", json=book, headers={"If-Match": etag}
        )
        return response.json(), response.headers["ETag"]

    def delete(self, book_id: int, *, etag: str) -> None:
        """Delete a book if it is still the version `etag` names."""
        self.request("DELETE", f"/api/v1/books/{book_id}", headers={"If-Match": etag})

    def iterate(self, **filters: str | int) -> Iterator[dict]:
        """Every book matching the filters, one page at a time, following `next` links."""
        response = self.request("GET", "/api/v1/books", params=filters)
        while True:
            page = response.json()
            yield from page["items"]
            if "next" not in page["links"]:
                return
            response = self.request("GET", page["links"]["next"])


def problem_of(response: httpx2.Response) -> dict[str, Any]:
    """The problem details of an error response (or a stand-in if it sent none)."""
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        return response.json()
    return {"status": response.status_code, "title": response.reason_phrase}
