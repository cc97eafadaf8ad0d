"""A fourth isolation strategy: a PostgreSQL schema of its own per test, dropped after.

Part 2 measured three ways to give a test a clean database. Write the fourth,
`isolated_schema(engine)`, a context manager (decorated already) that yields an ENGINE whose
every statement runs in a new, empty schema with the order tables, inside the SAME database:
- two `isolated_schema` blocks open at once do not see each other's orders, even with the same
  reference, and real commits work (unlike a rolled-back transaction, a second session or
  connection sees them: that is what this strategy is for);
- the tables live in the new schema (not in `public`), and the schema is dropped at the end of
  the block, with everything in it, even when the block raised.
Recipe: make a name that is safe to put in SQL (`uuid` helps), run `CREATE SCHEMA` (and
commit it), give the yielded engine SQLAlchemy's execution option `schema_translate_map` so
that tables without a schema go to yours, `Base.metadata.create_all` through that engine, and
`DROP SCHEMA ... CASCADE` in a `finally`. `orders_tables.py` has `Base`.

Check your work with `.venv/bin/course check 07 ex02`; a hint: `.venv/bin/course hint 07 ex02`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine


@contextmanager
def isolated_schema(engine: Engine) -> Iterator[Engine]:
    """Yield an engine whose tables live in a new schema of their own; drop it on exit."""
    # TODO: create a uniquely named schema, yield an engine translated to it with the order
    # tables created, and drop the schema (CASCADE) in a finally
    raise NotImplementedError("TODO: write the schema-per-test context manager")
    yield engine  # makes this a generator, as @contextmanager needs; remove it with the TODO
