"""Receive a delivery with one atomic upsert: insert the product or add to its stock.

Write `receive_delivery(engine, *, sku, name, quantity)`. If no product has this SKU, it
creates one (price 100 cents) holding `quantity`; if one exists, it adds `quantity` to its
stock. Many deliveries may arrive at once, from many processes: none may be lost, and none
may fail on the UNIQUE constraint of `products.sku`. Use one statement, an INSERT ... ON
CONFLICT, for a new SKU and an existing one alike (the test counts them and reads their SQL,
where no value may appear: they travel as bound parameters): no SELECT before the write, no
UPDATE after an IntegrityError. The update also adds 1 to
`version`, as every write of `products` must: buyers that sell optimistically
(`version_id_col`, see `sql_concurrency.py`) only notice a write that changed the version,
and would overwrite a delivery that did not.

`sql_upsert.py` shows the race of look-then-insert and PostgreSQL's INSERT ... ON CONFLICT.

Check your work with `.venv/bin/course check 01 ex08`; a hint: `.venv/bin/course hint 01 ex08`.
"""

from __future__ import annotations

from sqlalchemy import Engine


def receive_delivery(engine: Engine, *, sku: str, name: str, quantity: int) -> None:
    """Create the product with `quantity` in stock, or add `quantity` to its stock."""
    # TODO: an INSERT from sqlalchemy.dialects.postgresql with .on_conflict_do_update() on
    # the sku, adding the new row's stock (statement.excluded.stock) to the existing one
    # and 1 to the version
    raise NotImplementedError("TODO: upsert the delivery")
