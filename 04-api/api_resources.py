"""What one running app holds: the engine, a session factory, Redis and the rate limiter.

Both app factories build one `Resources` from `ApiSettings`; nothing connects until the
first request (SQLAlchemy and redis-py connect lazily), so creating an app is instant.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis
from api_models import make_engine
from api_ratelimit import RateLimiter, make_redis
from api_settings import ApiSettings
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resources:
    """The app's connections to the outside world, created once per app."""

    settings: ApiSettings
    engine: Engine
    sessions: sessionmaker[Session]
    redis: redis.Redis
    limiter: RateLimiter

    def close(self) -> None:
        """Close every pooled connection (a test's database can then be dropped)."""
        self.engine.dispose()
        self.redis.close()


def open_resources(settings: ApiSettings) -> Resources:
    """Build the engine, the session factory, the Redis client and the rate limiter."""
    engine = make_engine(settings.database_url)
    client = make_redis(settings.redis_url)
    limiter = RateLimiter(
        client,
        prefix=settings.redis_prefix,
        limit=settings.rate_limit,
        window_seconds=settings.rate_window_seconds,
    )
    # expire_on_commit=False: a handler may still read a book's fields after committing it
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Resources(settings, engine, sessions, client, limiter)


def readiness(resources: Resources) -> dict[str, str]:
    """ "ok" or what failed, for each service the API cannot work without."""
    checks: dict[str, str] = {}
    try:
        with resources.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as error:
        logger.warning("readiness: database down: %s", error)
        checks["database"] = "unavailable"  # the reason goes to the log, not to the client
    try:
        resources.redis.ping()
        checks["redis"] = "ok"
    except redis.RedisError as error:
        logger.warning("readiness: redis down: %s", error)
        checks["redis"] = "unavailable"
    return checks
