"""A client for the bookshop API: timeouts, retries that are safe, pages, problems as errors.

`BooksClient` wraps an `httpx2.Client` (the maintained continuation of httpx, same API). It
retries a request only when repeating it cannot do harm: an idempotent method (GET, PUT,
DELETE), or a POST that carries an `Idempotency-Key`, with exponential backoff and full jitter,
all within one deadline. Idempotent is not "the same answer": a retried conditional PUT or
DELETE whose first answer was lost meets its own write (412, 404), and says so as success.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}  # RFC 9110, 9.2.2
RETRY_STATUSES = {429, 502, 503, 504}  # the server says "not now", not "never"
# the network failed, so trying again may work; a bad URL or a protocol misuse never heals
RETRY_ERRORS = (httpx2.NetworkError, httpx2.TimeoutException, httpx2.RemoteProtocolError)


class ProblemError(Exception):
    """An API error, from its RFC 9457 problem details (and its Retry-After, if it sent one)."""

    def __init__(
        self, status: int, problem: dict[str, Any], retry_after: float | None = None
    ) -> None:
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}")
        self.status, self.problem, self.retry_after = status, problem, retry_after


def retry_after_seconds(header: str | None) -> float | None:
    """Seconds to wait from a `Retry-After`: a number, or an HTTP date (RFC 9110, 10.2.3)."""
    if header is None:
        return None
    if header.strip().isdigit():
        return float(header)
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None  # unreadable: the backoff decides
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


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
        deadline_seconds: float = 15.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.http, self.attempts, self.sleep, self.clock = http, attempts, sleep, clock
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.deadline_seconds = deadline_seconds  # for one call, all attempts and waits included
        self.rng = rng or random.Random()  # nosec B311  # jitter for backoff, not a secret
        self.waits: list[float] = []  # every pause taken, for a log line or a test
        self.retried = False  # whether the last request needed more than one attempt

    def request(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a request, retrying when that is safe; raise ProblemError for a 4xx or 5xx."""
        method = method.upper()
        headers = httpx2.Headers(kwargs.get("headers") or {})  # header names ignore case
        retryable = method in IDEMPOTENT_METHODS or "Idempotency-Key" in headers
        deadline = self.clock() + self.deadline_seconds
        self.retried = False
        for attempt in range(self.attempts):
            last_try = attempt == self.attempts - 1 or not retryable
            self.retried = attempt > 0
            # each attempt gets at most the time left (httpx's read timeout is per chunk, so
            # a server that trickles bytes can still outlast it: only a watchdog stops that)
            timeout = min(self.http.timeout.read or self.deadline_seconds, deadline - self.clock())
            try:
                response = self.http.request(method, url, timeout=max(timeout, 0.001), **kwargs)
            except RETRY_ERRORS as error:  # refused, reset, timed out
                wait = None if last_try else self.backoff(attempt)
                if wait is None or self.clock() + wait >= deadline:
                    raise
                logger.warning("%s %s failed (%s); retrying", method, url, error)
                self.pause(wait)
                continue
            if response.status_code < 400:
                return response
            server_wait = retry_after_seconds(response.headers.get("Retry-After"))
            if response.status_code in RETRY_STATUSES and not last_try:
                wait = self.backoff(attempt) if server_wait is None else server_wait
                if self.clock() + wait < deadline:
                    self.pause(wait)
                    continue
            raise ProblemError(response.status_code, problem_of(response), server_wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def backoff(self, attempt: int) -> float:
        """The jittered wait before attempt `attempt + 1`."""
        return backoff_delay(attempt, base=self.backoff_base, cap=self.backoff_cap, rng=self.rng)

    def pause(self, wait: float) -> None:
        """Wait before the next attempt (what the server asked for, else the backoff)."""
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
        try:
            response = self.request(
                "PUT", f"/api/v1/books/{book_id}", json=book, headers={"If-Match": etag}
            )
        except ProblemError as error:
            if not (error.status == 412 and self.retried):
                raise
            # a retry's 412 may be our own first attempt, whose answer was lost: the book is
            # then exactly what we sent, one version on; anything else is another writer
            current, current_etag = self.get(book_id)
            ours = all(current.get(key) == value for key, value in book.items())
            if not (ours and current_etag == etag_after(etag)):
                raise
            return current, current_etag
        return response.json(), response.headers["ETag"]

    def delete(self, book_id: int, *, etag: str) -> None:
        """Delete a book if it is still the version `etag` names."""
        try:
            self.request("DELETE", f"/api/v1/books/{book_id}", headers={"If-Match": etag})
        except ProblemError as error:
            # a retry's 404: the first attempt deleted it and its answer was lost; done
            if not (error.status == 404 and self.retried):
                raise

    def iterate(self, **filters: str | int) -> Iterator[dict]:
        """Every book matching the filters, one page at a time, following `next` links."""
        response = self.request("GET", "/api/v1/books", params=filters)
        while True:
            page = response.json()
            yield from page["items"]
            if "next" not in page["links"]:
                return
            response = self.request("GET", page["links"]["next"])


def etag_after(etag: str) -> str:
    """The ETag a successful write gives a book whose ETag was `etag` (this API counts up)."""
    version = etag.strip('"')
    return f'"{int(version) + 1}"' if version.isdigit() else ""


def problem_of(response: httpx2.Response) -> dict[str, Any]:
    """The problem details of an error response (or a stand-in if it sent none)."""
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        return response.json()
    return {"status": response.status_code, "title": response.reason_phrase}
