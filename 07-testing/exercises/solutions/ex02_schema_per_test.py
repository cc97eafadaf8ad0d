"""A PostgreSQL schema of its own per test, dropped after: the reference solution."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from orders_tables import Base
from sqlalchemy import Engine, text


@contextmanager
def isolated_schema(engine: Engine) -> Iterator[Engine]:
    """Yield an engine whose tables live in a new schema of their own; drop it on exit."""
    # a name from hex digits only: a schema name cannot be a bound parameter
    name = f"test_{uuid.uuid4().hex[:12]}"
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        # every table without a schema of its own (all of ours) is read and written in `name`
        translated = engine.execution_options(schema_translate_map={None: name})
        Base.metadata.create_all(translated)
        yield translated
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
