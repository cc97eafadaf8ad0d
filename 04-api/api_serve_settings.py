"""Twelve-factor configuration: every setting a deployed API needs, read from the environment.

The same code runs on a laptop, in CI, in a container and on a platform such as Heroku; only
the environment differs (https://12factor.net/config). `settings_from_environment` reads it
once at start-up and fails fast with one line that names the variable and says what is
wrong, so a typo in a deployment stops the process before it serves a single request.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from api_settings import ApiSettings

import course

logger = logging.getLogger(__name__)


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class ServeSettings:
    """Part 1's `ApiSettings` plus what running for real adds: the job queue, the cache."""

    api: ApiSettings
    jobs_queue: str = "bookshop"  # the RQ queue the API enqueues on and the worker drains
    cache_seconds: int = 30  # how long a cached report may be stale
    demo_routes: bool = False  # /demo/slow, for the SIGTERM test and the demo; never in production
    # trusted proxies in front (nginx: 1), whose X-Forwarded-For is believed: Flask's ProxyFix;
    # uvicorn has its own FORWARDED_ALLOW_IPS, which api_serve.py asks for when this is set
    proxy_hops: int = 0


def whole_number(environ: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    """The variable as an int of at least `minimum`, or `default` when it is unset."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise ConfigError(f"{name} must be a whole number >= {minimum}, got {raw!r}")
    return int(raw)


def flag(environ: Mapping[str, str], name: str) -> bool:
    """The variable as a yes/no switch: 1/true/yes or 0/false/no (unset: no)."""
    raw = environ.get(name, "0").strip().lower()
    if raw not in {"0", "1", "true", "false", "yes", "no", ""}:
        raise ConfigError(f"{name} must be 1 or 0 (true/false), got {raw!r}")
    return raw in {"1", "true", "yes"}


def without_password(url: str) -> str:
    """The URL with its password replaced by `***`: an error message ends up in a log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{user.split(':', 1)[0]}:***@{host}"))


def with_course_driver(url: str) -> str:
    """`postgres://` and `postgresql://` (what Heroku and others hand out) as psycopg 3's URL."""
    # SQLAlchemy refuses postgres:// and reads postgresql:// as psycopg2, absent from the image
    scheme, separator, rest = url.partition("://")
    if separator and scheme in {"postgres", "postgresql"}:
        return f"postgresql+psycopg://{rest}"
    return url


def settings_from_environment(environ: Mapping[str, str] | None = None) -> ServeSettings:
    """Read every setting from the environment (the course's `.env` fills in the URLs)."""
    environ = os.environ if environ is None else environ
    database_url, redis_url = environ.get("DATABASE_URL"), environ.get("REDIS_URL")
    if not database_url or not redis_url:  # on a laptop: the course's services
        services = course.get_settings()
        database_url = database_url or services.database_url
        redis_url = redis_url or services.redis_url
    database_url = with_course_driver(database_url)
    for name, url, schemes in (
        ("DATABASE_URL", database_url, ("postgresql",)),
        ("REDIS_URL", redis_url, ("redis", "rediss", "unix")),
    ):
        if not url.startswith(schemes):
            shown = without_password(url)
            raise ConfigError(f"{name} must start with {' or '.join(schemes)}, got {shown!r}")
    api = ApiSettings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=environ.get("API_REDIS_PREFIX", "api:"),
        rate_limit=whole_number(environ, "API_RATE_LIMIT", 120, minimum=1),
        rate_window_seconds=whole_number(environ, "API_RATE_WINDOW_SECONDS", 60, minimum=1),
    )
    return ServeSettings(
        api=api,
        jobs_queue=environ.get("API_JOBS_QUEUE", "bookshop"),
        cache_seconds=whole_number(environ, "API_CACHE_SECONDS", 30),
        demo_routes=flag(environ, "API_DEMO_ROUTES"),
        proxy_hops=whole_number(environ, "API_PROXY_HOPS", 0),
    )


def environment_of(settings: ServeSettings) -> dict[str, str]:
    """The environment that gives a new process these settings (for servers and workers)."""
    return {
        "DATABASE_URL": settings.api.database_url,
        "REDIS_URL": settings.api.redis_url,
        "API_REDIS_PREFIX": settings.api.redis_prefix,
        "API_RATE_LIMIT": str(settings.api.rate_limit),
        "API_RATE_WINDOW_SECONDS": str(settings.api.rate_window_seconds),
        "API_JOBS_QUEUE": settings.jobs_queue,
        "API_CACHE_SECONDS": str(settings.cache_seconds),
        "API_DEMO_ROUTES": "1" if settings.demo_routes else "0",
        "API_PROXY_HOPS": str(settings.proxy_hops),
    }
