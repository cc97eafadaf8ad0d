"""A minimal Django project, configured in code: the shop's app and the admin on PostgreSQL.

Django usually reads its settings from a `settings.py` module named by DJANGO_SETTINGS_MODULE;
a project this small calls `settings.configure(...)` instead, once, before the first model is
imported. `configure(url)` points Django at a PostgreSQL database given as a SQLAlchemy URL
(the lesson's temporary databases), and `temporary_django_database()` creates one, runs
`migrate` on it (the django_shop app's committed migration, and those of the admin's apps
unless only `apps=SHOP` is asked for), yields its URL and drops it. Nothing connects at
import, nor in configure(): Django opens a connection per thread on the first query.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from course.sandbox import temporary_postgres_database
from course.settings import Settings

logger = logging.getLogger(__name__)

APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_shop",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
SHOP = ("django_shop",)  # migrate only the shop's app: the demos that need no admin
# tests only: Django's docs suggest a fast hasher there; the real one takes ~0.5 s per login
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def database_settings(database_url: str) -> dict:
    """Django's DATABASES entry for a SQLAlchemy URL such as postgresql+psycopg://u:p@h:5432/db."""
    url = make_url(database_url)
    return {
        "ENGINE": "django.db.backends.postgresql",  # psycopg 3, the driver SQLAlchemy uses
        "NAME": url.database,
        "USER": url.username or "",
        "PASSWORD": url.password or "",
        "HOST": url.host or "",
        "PORT": str(url.port or ""),
    }


def configure(database_url: str, *, fast_hashing: bool = False) -> None:
    """Configure Django for this process on `database_url`; later calls switch the database."""
    from django.conf import settings

    database = database_settings(database_url)
    if settings.configured:
        use_database(database)
        return
    hashing = {"PASSWORD_HASHERS": FAST_HASHERS} if fast_hashing else {}
    settings.configure(
        DEBUG=False,  # DEBUG=True keeps every query in memory (connection.queries)
        SECRET_KEY=secrets.token_urlsafe(32),  # sessions live no longer than this process
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        INSTALLED_APPS=APPS,
        MIDDLEWARE=MIDDLEWARE,
        TEMPLATES=TEMPLATES,
        ROOT_URLCONF="django_shop.urls",
        DATABASES={"default": database},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",  # int ids, as sql_models.py has
        USE_TZ=True,
        TIME_ZONE="UTC",
        STATIC_URL="static/",
        **hashing,  # without it, Django's default: PBKDF2
    )
    import django

    django.setup()


def use_database(database: dict) -> None:
    """Point every thread's default connection at another database (as Django's tests do)."""
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    settings.DATABASES["default"].update(database)
    connections["default"].settings_dict.update(database)


def migrate(*apps: str) -> None:
    """Apply the migrations of `apps` (every app's when none) to the database (`migrate`)."""
    from django.core.management import call_command

    for app in apps or [None]:
        call_command("migrate", *([app] if app else []), verbosity=0)


def empty_shop() -> None:
    """Empty the shop's tables (and the admin's users, if migrated), ids from 1 again."""
    from django.db import connection

    tables = ["customers", "products", "orders", "order_lines"]
    tables += [
        t for t in ("auth_user", "django_session") if t in connection.introspection.table_names()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def close_connections() -> None:
    """Close this thread's Django connections (a finished thread must close its own too)."""
    from django.db import connections

    connections.close_all()


@contextmanager
def temporary_django_database(
    settings: Settings,
    *,
    prefix: str = "django",
    apps: tuple[str, ...] = (),
    fast_hashing: bool = False,
) -> Iterator[str]:
    """Create a database, configure Django on it, migrate `apps` (all); yield its URL; drop it."""
    with temporary_postgres_database(settings, prefix=prefix) as url:
        configure(url, fast_hashing=fast_hashing)
        try:
            migrate(*apps)
            yield url
        finally:
            close_connections()
