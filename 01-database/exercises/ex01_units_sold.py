"""Units sold per product, in one query: a join, an aggregate and an outer join.

Write `units_sold_by_product(session)`. It returns one `(sku, units)` pair for EVERY product,
where `units` is the sum of `quantity` over all the order lines of that product, and 0 for a
product nobody has ordered yet. Order the pairs by units, most first, then by SKU. Ask the
database in a single SELECT that does the adding up and the ordering (the test counts the
statements and the rows they send back, one per product, and runs your SELECT again to see
its rows come back in order): no loop over the products, no summing or sorting in Python.

The lesson's models are in `sql_models.py` (`Product`, `OrderLine`), and `sql_queries.py`
shows select(), join, func and group_by at work.

Check your work with `.venv/bin/course check 01 ex01` (or `course check 01 ex01` after
`source .venv/bin/activate`); ask for a hint with `.venv/bin/course hint 01 ex01`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session


def units_sold_by_product(session: Session) -> list[tuple[str, int]]:
    """Return (sku, units sold) for every product, most sold first, then by SKU."""
    # TODO: select Product.sku and the sum of OrderLine.quantity, outer-join the lines,
    # group by product, turn a missing sum into 0, and order the rows
    raise NotImplementedError("TODO: count the units sold per product in one query")
