"""Count and record the SQL statements an engine sends: how the lesson makes round trips visible.

`with recorded_statements(engine) as statements:` collects every statement the engine sends
inside the block, one entry per cursor execution, using SQLAlchemy's `before_cursor_execute`
event. An executemany without RETURNING counts once (psycopg then pipelines its parameter
sets, unseen here). An INSERT ... RETURNING of many rows, which an ORM flush of many new
objects is, counts once per batch: SQLAlchemy's "insertmanyvalues" sends it as multi-row
INSERTs of up to 1000 rows each (`insertmanyvalues_page_size`), so 2,500 new customers are
3 entries. The N+1 demonstration, the unit of work and the stored function all count their
round trips with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """Yield a list that fills with the SQL of every statement sent inside the block."""
    statements: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
