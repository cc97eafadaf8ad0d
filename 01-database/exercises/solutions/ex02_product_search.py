"""A product search that no input can inject into: the reference solution."""

from __future__ import annotations

from sql_models import Product
from sqlalchemy import select
from sqlalchemy.orm import Session

SORTABLE = {"name": Product.name, "price": Product.price_cents, "stock": Product.stock}


def search_products(session: Session, *, term: str, sort_by: str = "name") -> list[str]:
    """Return the SKUs of products whose name contains `term` (any case), sorted as asked."""
    column = SORTABLE.get(sort_by)
    if column is None:  # identifiers come from the allow-list, never from the input
        raise ValueError(f"cannot sort by {sort_by!r}; choose one of {sorted(SORTABLE)}")
    # autoescape makes % and _ literal; the term itself is a bound parameter
    statement = (
        select(Product.sku)
        .where(Product.name.icontains(term, autoescape=True))
        .order_by(column, Product.sku)
    )
    return list(session.scalars(statement))
