"""The next page of orders by keyset: the reference solution."""

from __future__ import annotations

from datetime import datetime

from sql_models import Order
from sqlalchemy import Engine, select, tuple_


def next_page(
    engine: Engine, *, after: tuple[datetime, int] | None, size: int
) -> list[tuple[datetime, int]]:
    """Return the `size` orders after the cursor, newest first, as (placed_at, id)."""
    statement = select(Order.placed_at, Order.id)
    if after is not None:
        # a row comparison: (placed_at, id) < (a, b) means "older, or as old with a lower id"
        statement = statement.where(tuple_(Order.placed_at, Order.id) < tuple_(*after))
    statement = statement.order_by(Order.placed_at.desc(), Order.id.desc()).limit(size)
    with engine.connect() as connection:
        return [(placed_at, order_id) for placed_at, order_id in connection.execute(statement)]
