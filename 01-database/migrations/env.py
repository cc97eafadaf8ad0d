"""Alembic's entry point: connect to the database and run the migrations against the models.

The URL comes from, in order: `alembic -x url=...`, `config.attributes["url"]` (set by tests
and by sql_migrations.py), else DATABASE_URL from the course settings. `target_metadata` is
the models' metadata, so `alembic revision --autogenerate` compares the database with them.
"""

from __future__ import annotations

import sys
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import Connection, Engine, create_engine, make_url, pool
from sqlalchemy.exc import ArgumentError, OperationalError

LESSON_FOLDER = Path(__file__).resolve().parents[1]
if str(LESSON_FOLDER) not in sys.path:
    sys.path.insert(0, str(LESSON_FOLDER))

from sql_models import Base  # noqa: E402  (needs the lesson folder on sys.path)

config = context.config
target_metadata = Base.metadata

# the CLI configures logging from alembic.ini; code that runs migrations keeps its own
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    """Return the URL to migrate: -x url=..., a config attribute, or the course settings."""
    typed = context.get_x_argument(as_dictionary=True).get("url")
    if typed:
        try:
            make_url(typed)
        except ArgumentError:  # a typo or a missing scheme: one line, not a traceback
            raise SystemExit(  # without the value: it may hold a password
                "error: the -x url= value is not a database URL; write it as"
                " postgresql+psycopg://user:password@host:port/database"
            ) from None
        return typed
    url = config.attributes.get("url")
    if url:
        return url
    import course

    # from the alembic command: one clear line, not a traceback, when PostgreSQL is not there
    return course.require("postgres").database_url


def connect(engine: Engine) -> Connection:
    """Connect; a `-x url=` that reaches no database exits with one line, not a traceback."""
    try:
        return engine.connect()
    except OperationalError as error:
        if not context.get_x_argument(as_dictionary=True).get("url"):
            raise  # code that passed the URL in handles its own errors
        reason = " ".join(str(error.orig).split())  # libpq's reason, on one line
        shown = engine.url.render_as_string(hide_password=True)
        raise SystemExit(
            f"error: cannot connect to {shown}: {reason}; check the -x url= value"
        ) from None


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Connect and run the migrations, each revision in a transaction of its own."""
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with connect(engine) as connection:
        # one transaction per revision: a lock a revision takes is released when it commits,
        # not held until the last revision of the run (PostgreSQL has transactional DDL, so
        # a failed revision rolls back whole, unless it commits step by step in an
        # autocommit_block, as 0002b does, and is written to be resumed)
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
