"""The API's settings: one frozen object, from the course's settings, overridable in tests."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import course


@dataclass(frozen=True)
class ApiSettings:
    """Everything both apps need to know; a test builds its own with `dataclasses.replace`."""

    database_url: str
    redis_url: str
    redis_prefix: str = "api:"  # every Redis key the API writes starts with this
    rate_limit: int = 120  # requests per client per window
    rate_window_seconds: int = 60
    # how long a retry waits for the first request with its Idempotency-Key before a 409
    key_wait_ms: int = 2000
    # CORS: only the shop's own front end may call the API from a browser
    cors_origins: tuple[str, ...] = field(default=("http://localhost:5173",))
    max_body_bytes: int = 64 * 1024  # a book is a few hundred bytes; 64 KiB is plenty
    max_page_size: int = 100
    # book covers: streamed to files here, each at most this size (a large photo, not a film)
    covers_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir(), "bookshop-covers"))
    max_cover_bytes: int = 2 * 1024 * 1024


def settings_from_course() -> ApiSettings:
    """The settings for the course's own services (`.env`, or the defaults)."""
    services = course.get_settings()
    return ApiSettings(database_url=services.database_url, redis_url=services.redis_url)
