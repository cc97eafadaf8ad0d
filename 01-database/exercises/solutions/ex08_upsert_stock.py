"""Receive a delivery with one atomic upsert that returns the stock: the reference solution."""

from __future__ import annotations

from sql_models import Product
from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert


def receive_delivery(engine: Engine, *, sku: str, name: str, quantity: int) -> int:
    """Create the product with `quantity` in stock, or add `quantity` to its stock; return it."""
    statement = insert(Product).values(sku=sku, name=name, price_cents=100, stock=quantity)
    # `excluded` is the row that could not be inserted: its stock is this delivery's; the
    # version moves too, so an optimistic reader (version_id_col) sees the change
    statement = statement.on_conflict_do_update(
        index_elements=[Product.sku],
        set_={"stock": Product.stock + statement.excluded.stock, "version": Product.version + 1},
    )
    # RETURNING gives the row as this statement left it: a later delivery waits for this one's
    # row lock until it commits, so the number holds every earlier delivery's units, no later
    with engine.begin() as connection:
        return connection.execute(statement.returning(Product.stock)).scalar_one()
