"""Units sold per product, in one query: the reference solution."""

from __future__ import annotations

from sql_models import OrderLine, Product
from sqlalchemy import func, select
from sqlalchemy.orm import Session


def units_sold_by_product(session: Session) -> list[tuple[str, int]]:
    """Return (sku, units sold) for every product, most sold first, then by SKU."""
    # the outer join keeps products without lines; their sum is NULL until coalesced to 0
    units = func.coalesce(func.sum(OrderLine.quantity), 0).label("units")
    statement = (
        select(Product.sku, units)
        .outerjoin(OrderLine, OrderLine.product_id == Product.id)
        .group_by(Product.id)
        .order_by(units.desc(), Product.sku)
    )
    return [(sku, units) for sku, units in session.execute(statement)]
