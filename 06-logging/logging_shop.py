"""The shop's dependencies: products in PostgreSQL, a Redis cache, an HTTP rates upstream.

Every network call here has a timeout, goes through a circuit breaker, is retried only when
the fault is transient, and raises domain errors (never a driver's). The cache is optional:
when Redis is down the shop logs a warning and reads PostgreSQL. `logging_app.py` puts these
behind HTTP; the tests stop the real servers underneath them.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx2
import pybreaker
import redis
import sqlalchemy as sa
import tenacity
from errors_domain import NotFound, ShopError, translated
from errors_resilience import call_resiliently, make_breaker, retry_policy
from opentelemetry import propagate, trace
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)


@dataclass
class Shop:
    """The application's dependencies, built once by `make_shop` and passed to the app."""

    engine: sa.Engine
    cache: redis.Redis
    rates_client: httpx2.Client
    table: str
    policy: tenacity.Retrying
    breakers: dict[str, pybreaker.CircuitBreaker]
    tracer: trace.Tracer = field(default_factory=lambda: trace.NoOpTracer())
    cache_seconds: int = 60

    def create_schema(self) -> None:
        """Create the products table (the demo's and tests' own, named by `table`)."""
        with self.engine.begin() as connection:
            connection.execute(
                sa.text(
                    f"CREATE TABLE IF NOT EXISTS {self.table} "
                    "(sku text PRIMARY KEY, name text NOT NULL, price_cents integer NOT NULL)"
                )
            )

    def add_product(self, sku: str, name: str, price_cents: int) -> None:
        """Insert or replace one product."""
        with self.engine.begin() as connection:
            connection.execute(
                sa.text(
                    f"INSERT INTO {self.table} VALUES (:sku, :name, :price) "  # nosec B608  # the shop's own generated table name
                    "ON CONFLICT (sku) DO UPDATE SET name = :name, price_cents = :price"
                ),
                {"sku": sku, "name": name, "price": price_cents},
            )

    def _cached(self, sku: str) -> dict | None:
        try:
            with self.tracer.start_as_current_span(
                "redis GET", attributes={"db.system.name": "redis"}
            ):
                raw = call_resiliently(
                    lambda: self._redis(lambda: self.cache.get(f"{self.table}:{sku}")),
                    breaker=self.breakers["redis"],
                    policy=retry_policy(attempts=1),  # a cache is worth one try, not three
                )
        except ShopError as error:
            # degrade, do not fail: the database still has the answer
            logger.warning(
                "cache unavailable, reading the database",
                extra={"dependency": "redis", "error": type(error).__name__},
            )
            return None
        return json.loads(raw) if raw else None

    def _redis(self, command: Callable[[], object]) -> object:
        with translated("redis"):
            return command()

    def _select(self, sku: str) -> dict | None:
        with (
            self.tracer.start_as_current_span(
                "SELECT products", attributes={"db.system.name": "postgresql"}
            ),
            translated("postgres"),
            self.engine.connect() as connection,
        ):
            row = (
                connection.execute(
                    sa.text(f"SELECT sku, name, price_cents FROM {self.table} WHERE sku = :sku"),  # nosec B608  # the shop's own generated table name
                    {"sku": sku},
                )
                .mappings()
                .first()
            )
        return dict(row) if row else None

    def product(self, sku: str) -> dict:
        """Return a product, from the cache if Redis answers, else from PostgreSQL."""
        found = self._cached(sku)
        if found is not None:
            return found | {"source": "cache"}
        found = call_resiliently(
            lambda: self._select(sku), breaker=self.breakers["postgres"], policy=self.policy
        )
        if found is None:
            raise NotFound(f"no product with sku {sku!r}")
        try:
            self._redis(
                lambda: self.cache.set(
                    f"{self.table}:{sku}", json.dumps(found), ex=self.cache_seconds
                )
            )
        except ShopError:
            logger.warning("could not fill the cache", extra={"dependency": "redis"})
        return found | {"source": "database"}

    def rate(self, currency: str) -> dict:
        """Return an exchange rate from the upstream, through its breaker and retries."""

        def fetch() -> dict:
            with (
                self.tracer.start_as_current_span(
                    "GET rates",
                    kind=trace.SpanKind.CLIENT,
                    attributes={"http.request.method": "GET"},
                ),
                translated("rates"),
            ):
                # send the trace on: the upstream's spans join this trace (W3C traceparent)
                headers: dict[str, str] = {}
                propagate.inject(headers)
                response = self.rates_client.get(f"/rates/{currency}", headers=headers)
                response.raise_for_status()
                return response.json()

        return call_resiliently(fetch, breaker=self.breakers["rates"], policy=self.policy)


def make_shop(
    database_url: str,
    redis_url: str,
    rates_url: str,
    *,
    table: str,
    timeout: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    fail_max: int = 5,
    reset_timeout: float = 30.0,
    tracer: trace.Tracer | None = None,
) -> Shop:
    """Build the shop's clients, each with a timeout on connect and on every call."""
    engine = sa.create_engine(
        database_url,
        pool_pre_ping=True,  # a connection the server dropped is replaced, not handed out
        pool_timeout=timeout,  # waiting for a free pooled connection is a wait too (default 30 s)
        connect_args={
            "connect_timeout": max(1, round(timeout)),
            "options": f"-c statement_timeout={int(timeout * 1000)}",
        },
    )
    # redis-py 8's `redis.Redis()` retries 10 times by default (`from_url` does not, today):
    # pin it to none; one retry policy per call, ours, is enough (layered retries multiply)
    cache = redis.Redis.from_url(
        redis_url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )
    rates_client = httpx2.Client(base_url=rates_url, timeout=timeout)
    breakers = {
        name: make_breaker(name, fail_max, reset_timeout) for name in ("postgres", "redis", "rates")
    }
    return Shop(
        engine,
        cache,
        rates_client,
        table,
        retry_policy(sleep=sleep),
        breakers,
        tracer or trace.NoOpTracer(),
    )


def close_shop(shop: Shop) -> None:
    """Close every client the shop opened."""
    shop.rates_client.close()
    shop.cache.close()
    shop.engine.dispose()
