"""Receive a delivery with one atomic upsert that also says how much stock it left.

Write `receive_delivery(engine, *, sku, name, quantity) -> int`. If no product has this SKU,
it creates one (price 100 cents) holding `quantity`; if one exists, it adds `quantity` to its
stock and bumps its `version` (below), and changes nothing else. It returns the product's
stock as this delivery left it.
Many deliveries may arrive at once, from many processes: none may be lost, none may fail on
the UNIQUE constraint of `products.sku`, and each returns its own stock (eight deliveries of
one unit of a new product return 1, 2, ... 8, each once, in whatever order they ran).

Send exactly one statement per delivery, for a new SKU and an existing one alike: an
INSERT ... ON CONFLICT DO UPDATE that also returns the stock (RETURNING). So no SELECT before
or after the write, and no UPDATE after an IntegrityError. The test records the statements
each delivery sends: it expects one, with no value in its SQL text (values travel as bound
parameters). The update also adds 1 to `version`, as every write of `products` must: buyers
that sell optimistically (`version_id_col`, see `sql_concurrency.py`) only notice a write
that changed the version, and would overwrite a delivery that did not.

Build it on the model, `from sql_models import Product`: PostgreSQL's `insert(Product)` and
the columns `Product.stock`, `Product.version` work as in Core. `sql_upsert.py` shows the race
of look-then-insert and an INSERT ... ON CONFLICT that returns nothing; returning the stock,
and why it is this delivery's own, is the part to work out.

Check your work with `.venv/bin/course check 01 ex08`; a hint: `.venv/bin/course hint 01 ex08`.
"""

from __future__ import annotations

from sqlalchemy import Engine


def receive_delivery(engine: Engine, *, sku: str, name: str, quantity: int) -> int:
    """Create the product with `quantity` in stock, or add `quantity` to its stock; return it."""
    # TODO: an INSERT from sqlalchemy.dialects.postgresql with .on_conflict_do_update() on
    # the sku, adding the new row's stock (statement.excluded.stock) to the existing one
    # and 1 to the version, and .returning() the stock it leaves
    raise NotImplementedError("TODO: upsert the delivery")
