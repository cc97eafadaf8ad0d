"""Add orders.total_cents, backfilled from the order lines, without blocking the shop.

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-08

The column's value is computed from other rows, so a constant default cannot fill it. The
sequence that keeps a live table usable (each step commits on its own):
1. ADD COLUMN, nullable and without a default: a catalog change, no table rewrite.
2. Backfill in batches, each its own short transaction: one batch's rows are locked at a time,
   never the whole table for the whole backfill.
3. CHECK (total_cents IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT: the scan runs under a
   SHARE UPDATE EXCLUSIVE lock, which lets reads and writes go on.
4. SET NOT NULL: PostgreSQL 12+ sees the valid CHECK and skips the full-table scan; the helper
   CHECK is then dropped. The total's own CHECK (>= 0) is added NOT VALID and validated alike.
5. SET DEFAULT 0, last. Set earlier, every order the running application inserts during the
   migration would get a total of 0 that the backfill (WHERE total_cents IS NULL) never
   corrects. Deploy the code that writes total_cents first (expand, then contract): an order
   the old code still inserts meanwhile stays NULL, and step 3 fails loudly, to be run again,
   instead of leaving a wrong total.
`lock_timeout` bounds every wait for a lock: when the table is busy the migration fails fast
and is run again later, instead of queueing every other query behind its lock request.
(Had the value been a constant, `ADD COLUMN ... NOT NULL DEFAULT 0` alone is enough: since
PostgreSQL 11 it is a catalog change too. PostgreSQL 18 can also add `NOT NULL` itself as
`NOT VALID` and validate it; the CHECK form above works on every supported version.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH_SIZE = 1000
BACKFILL_ONE_BATCH = """
UPDATE orders SET total_cents = COALESCE(
    (SELECT sum(quantity * unit_price_cents) FROM order_lines
     WHERE order_lines.order_id = orders.id), 0)
WHERE id IN (SELECT id FROM orders WHERE total_cents IS NULL ORDER BY id LIMIT {batch})
"""


def backfill_in_batches() -> None:
    """Fill total_cents one batch (one committed transaction) at a time, until none is left."""
    if context.is_offline_mode():  # `alembic upgrade --sql` prints one batch: no row counts
        op.execute(BACKFILL_ONE_BATCH.format(batch=BATCH_SIZE))
        return
    connection = op.get_bind()
    while connection.execute(sa.text(BACKFILL_ONE_BATCH.format(batch=BATCH_SIZE))).rowcount:
        pass


def upgrade() -> None:
    op.execute("SET lock_timeout = '2s'")  # for the session: every step below
    # each statement commits on its own, so a failure (a lock timeout, say) leaves the steps
    # before it done: every step is written to be run again, and the migration simply resumed
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE orders ADD COLUMN IF NOT EXISTS total_cents integer")
        backfill_in_batches()
        op.execute("ALTER TABLE orders DROP CONSTRAINT IF EXISTS ck_orders_total_not_null")
        op.execute(
            "ALTER TABLE orders ADD CONSTRAINT ck_orders_total_not_null"
            " CHECK (total_cents IS NOT NULL) NOT VALID"
        )
        op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_total_not_null")
        op.execute("ALTER TABLE orders ALTER COLUMN total_cents SET NOT NULL")
        op.execute("ALTER TABLE orders DROP CONSTRAINT ck_orders_total_not_null")
        op.execute("ALTER TABLE orders DROP CONSTRAINT IF EXISTS ck_orders_total_not_negative")
        op.execute(
            "ALTER TABLE orders ADD CONSTRAINT ck_orders_total_not_negative"
            " CHECK (total_cents >= 0) NOT VALID"
        )
        op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_total_not_negative")
        # last: a default set before the backfill would give new orders a wrong total of 0
        op.execute("ALTER TABLE orders ALTER COLUMN total_cents SET DEFAULT 0")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_orders_total_not_negative"), "orders", type_="check")
    op.drop_column("orders", "total_cents")
