"""The lesson's settings: secrets from the environment, and a refusal to start with a default.

`load_auth_settings()` reads `AUTH_SECRET_KEY` and `AUTH_ENV` beside the course's service URLs.
In development a well-known placeholder key is allowed (and logged as a warning); with
`AUTH_ENV=production` the apps refuse to start with it, so a forgotten secret is an error at
startup rather than forgeable sessions in production. Tests pass cheaper Argon2id parameters
(`argon2_*`) through the same object; the demos use the real ones.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace

from argon2 import profiles

logger = logging.getLogger(__name__)

# bandit flags it as a hard-coded password: it is the labelled placeholder check_settings refuses
# in production, so the finding is the point, not a leak
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"  # nosec B105
MINIMUM_SECRET_BYTES = 32
# argon2-cffi's default: RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes)
REAL_ARGON2 = profiles.RFC_9106_LOW_MEMORY


class SettingsError(RuntimeError):
    """A setting the lesson refuses; its message says how to fix it."""


class InsecureSettings(SettingsError):
    """The settings would run production with a development secret."""


@dataclass(frozen=True)
class AuthSettings:
    """Everything the lesson's apps need: where the services are, secrets, costs, lifetimes."""

    database_url: str
    redis_url: str
    secret_key: str = DEVELOPMENT_SECRET
    environment: str = "development"
    argon2_time_cost: int = REAL_ARGON2.time_cost
    argon2_memory_kib: int = REAL_ARGON2.memory_cost
    argon2_parallelism: int = REAL_ARGON2.parallelism
    session_seconds: int = 30 * 60  # idle: renewed by every request (Redis key's TTL)
    # absolute: a session kept alive by use still ends this long after its login (ASVS 3.3.2)
    session_absolute_seconds: int = 12 * 60 * 60
    access_token_seconds: int = 5 * 60
    refresh_token_seconds: int = 24 * 60 * 60  # each token; renewed by every rotation
    # a family of rotated tokens ends this long after its login, however busy (ASVS 5.0 V10.4.8)
    refresh_family_seconds: int = 7 * 24 * 60 * 60
    reset_token_seconds: int = 15 * 60
    redis_prefix: str = "auth:"
    token_issuer: str = "https://auth.course.localhost"
    token_audience: str = "course-api"
    # the session cookie is Secure: a browser sends it only over HTTPS (localhost excepted)
    cookie_secure: bool = True

    def with_changes(self, **changes: object) -> AuthSettings:
        """Return a copy with some fields changed (tests lower the Argon2id cost this way)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def load_auth_settings(database_url: str, redis_url: str, **overrides: object) -> AuthSettings:
    """Read the secret and the environment name from the environment; check them."""
    settings = AuthSettings(
        database_url=database_url,
        redis_url=redis_url,
        secret_key=os.environ.get("AUTH_SECRET_KEY", DEVELOPMENT_SECRET),
        environment=os.environ.get("AUTH_ENV", "development"),
    ).with_changes(**overrides)
    check_settings(settings)
    return settings


def check_settings(settings: AuthSettings) -> None:
    """Refuse a production setup with the placeholder or a short secret; warn in development."""
    if settings.environment not in ("development", "production"):
        raise InsecureSettings(
            f"AUTH_ENV={settings.environment!r}: use 'development' or 'production'"
        )
    weak = (
        settings.secret_key == DEVELOPMENT_SECRET
        or len(settings.secret_key.encode()) < MINIMUM_SECRET_BYTES
    )
    if weak and settings.environment == "production":
        raise InsecureSettings(
            "AUTH_SECRET_KEY is the development placeholder or shorter than "
            f"{MINIMUM_SECRET_BYTES} bytes; set one: "
            'python -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    if weak:
        logger.warning("using the development secret key: never do this in production")


def run_main(main: Callable[[], None]) -> None:
    """Run a script's main(); a refused setting is one line on stderr and exit status 2."""
    try:
        main()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
