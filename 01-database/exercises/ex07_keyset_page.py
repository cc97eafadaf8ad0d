"""The next page of orders by keyset: a cursor, not an OFFSET.

Write `next_page(engine, *, after, size)`. It returns the next `size` orders, newest first (by
`placed_at`, then by `id`, highest first, to break ties), as `(placed_at, id)` tuples, starting
after the cursor `after` (the `(placed_at, id)` of the last order of the previous page), or
from the newest order when `after` is None. The cursor comes back from the client (an API's
`?after=`): it travels as bound parameters, never inside the SQL text. Ask with one SELECT that
has no OFFSET and lets the database do the seek and the limit, so only `size` rows travel: the
test counts the statements, reads their SQL and counts the rows each one fetches (at most
`size`, or one more if you peek for a next page). The server reads about `size` rows too,
however long the table, only with an index on `(placed_at, id)`, as `sql_pagination.py`
creates; this exercise's table has none, so here it still scans and sorts every order (to see
the difference, run EXPLAIN on your query with and without that index: `sql_indexes.py` prints
a plan before and after an index, the way to read one). Walking every page must visit each
order once, even when a new order arrives between two pages; and the cursor is its values, not
its row: the next page comes even if the cursor's own order was deleted meanwhile.

`sql_pagination.py` shows keyset pagination beside OFFSET; `sql_models.py` has `Order`:
import it with `from sql_models import Order` (the lesson's folder is on the import path when
the exercise is checked).

Check your work with `.venv/bin/course check 01 ex07`; a hint: `.venv/bin/course hint 01 ex07`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine


def next_page(
    engine: Engine, *, after: tuple[datetime, int] | None, size: int
) -> list[tuple[datetime, int]]:
    """Return the `size` orders after the cursor, newest first, as (placed_at, id)."""
    # TODO: select Order.placed_at and Order.id; when `after` is given, keep only the rows
    # whose (placed_at, id) comes after it in this order; order newest first; limit
    raise NotImplementedError("TODO: fetch the next page by keyset")
