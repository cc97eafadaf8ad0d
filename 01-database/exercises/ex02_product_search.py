"""A product search that no input can inject into, with a sort the user chooses.

Write `search_products(session, *, term, sort_by="name")`. It returns the SKUs of the
products whose name contains `term`, ignoring case. Every character the user types is
literal: `'` is a quote, and `%` and `_` match only themselves (in LIKE they are wildcards).
The term travels as a bound parameter, never inside the SQL text, even escaped by hand: the
test reads the SQL sent and looks for what was typed.
`sort_by` is one of "name", "price" or "stock" (ascending, ties broken by SKU); any other
value raises ValueError before anything is sent to the database.

`sql_injection.py` shows bound parameters and the allow-list at work.

Check your work with `.venv/bin/course check 01 ex02` (or `course check 01 ex02` after
`source .venv/bin/activate`); ask for a hint with `.venv/bin/course hint 01 ex02`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session


def search_products(session: Session, *, term: str, sort_by: str = "name") -> list[str]:
    """Return the SKUs of products whose name contains `term` (any case), sorted as asked."""
    # TODO: check sort_by against an allow-list of columns, then select Product.sku where the
    # name contains the term, with LIKE's wildcards escaped, in the chosen order
    raise NotImplementedError("TODO: search the products safely")
