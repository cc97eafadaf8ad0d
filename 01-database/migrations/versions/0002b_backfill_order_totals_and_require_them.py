"""Backfill orders.total_cents from the order lines, then require it: the contract step.

Revision ID: 0002b
Revises: 0002
Create Date: 2024-06-08

Run after revision 0002 (the column and its trigger) and after the code that writes the total
is deployed. The column's value is computed from other rows, so a constant default cannot fill
it. The sequence that keeps a live table usable (each step commits on its own):
1. Backfill in batches, each its own short transaction: one batch's rows are locked at a time,
   never the whole table for the whole backfill. `AND total_cents IS NULL` is in the UPDATE's
   own WHERE, not only in its sub-select: a batch that waited for a writer's row lock re-checks
   the row's new version (READ COMMITTED), sees the total the writer set, and leaves it.
2. CHECK (total_cents IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT: the scan runs under a
   SHARE UPDATE EXCLUSIVE lock, which lets reads and writes go on.
3. SET NOT NULL: PostgreSQL 12+ sees the valid CHECK and skips the full-table scan; the helper
   CHECK is then dropped. The total's own CHECK (>= 0) is added NOT VALID and validated alike.
4. SET DEFAULT 0, only now: until here NULL marks a total nobody has computed, which the
   backfill (WHERE total_cents IS NULL) and the NOT NULL check rely on. With the default set
   earlier, an order inserted meanwhile by the old code would read 0, and only revision 0002's
   trigger (when its first line arrives) would correct it: the NULL would no longer show a
   writer that forgot the total.
5. Drop revision 0002's trigger, last: every writer now sets the total itself.
`lock_timeout` bounds every wait for a lock: when the table is busy the migration fails fast
and is run again later, instead of queueing every other query behind its lock request.
(Had the value been a constant, `ADD COLUMN ... NOT NULL DEFAULT 0` alone is enough: since
PostgreSQL 11 it is a catalog change too. PostgreSQL 18 can also add `NOT NULL` itself as
`NOT VALID` and validate it; the CHECK form above works on every supported version.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0002b"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH_SIZE = 1000
BACKFILL_ONE_BATCH = """
UPDATE orders SET total_cents = COALESCE(
    (SELECT sum(quantity * unit_price_cents) FROM order_lines
     WHERE order_lines.order_id = orders.id), 0)
WHERE id IN (SELECT id FROM orders WHERE total_cents IS NULL AND ({after} IS NULL OR id > {after})
             ORDER BY id LIMIT {batch})
  AND total_cents IS NULL
RETURNING id
"""
ANY_TOTAL_NULL = "SELECT EXISTS (SELECT 1 FROM orders WHERE total_cents IS NULL)"


def backfill_in_batches() -> None:
    """Fill total_cents one batch (one committed transaction) at a time, until none is left."""
    if context.is_offline_mode():  # `alembic upgrade --sql` prints one batch: no row counts
        op.execute(BACKFILL_ONE_BATCH.format(batch=BATCH_SIZE, after="NULL"))
        return
    run_batches_until_no_total_is_null(op.get_bind())


def run_batches_until_no_total_is_null(
    connection: sa.Connection, *, batch_size: int = BATCH_SIZE
) -> None:
    """Run BACKFILL_ONE_BATCH, each its own transaction, until no order's total is NULL."""
    # not "until a batch updates no row": a batch whose orders a writer filled meanwhile
    # updates none (it skips them), and the orders after it would stay NULL. Each batch
    # starts after the last id the one before filled (`id > after`, an index range), so it
    # does not walk past every order filled already: the backfill stays linear in the table.
    # The first has no bound (NULL: `NULL IS NULL` holds), so no id is too low for it
    after: int | None = None
    while connection.execute(sa.text(ANY_TOTAL_NULL)).scalar():
        bound = "NULL" if after is None else str(int(after))
        batch = BACKFILL_ONE_BATCH.format(batch=batch_size, after=bound)
        filled = connection.execute(sa.text(batch)).scalars().all()
        # none filled: the rest were filled by writers, or a NULL order sits below `after`
        # (an id taken before, committed after): look again from the start
        after = max(filled) if filled else None


def backfill_and_require() -> None:
    """Run every step; each commits on its own and can run again after a failure."""
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
    # a default set before the backfill would give new orders a wrong total of 0
    op.execute("ALTER TABLE orders ALTER COLUMN total_cents SET DEFAULT 0")
    op.execute("DROP TRIGGER IF EXISTS order_lines_keep_total ON order_lines")
    op.execute("DROP FUNCTION IF EXISTS order_lines_keep_total()")


def upgrade() -> None:
    # each statement commits on its own, so a failure (a lock timeout, say) leaves the steps
    # before it done: every step is written to be run again, and the migration simply resumed
    with op.get_context().autocommit_block():
        # a session setting, reset at the end so that it never reaches the next revision of
        # the same `upgrade head`: outside a transaction block SET LOCAL only warns and sets
        # nothing (PostgreSQL's SET page), and here each statement is its own transaction
        op.execute("SET lock_timeout = '2s'")
        try:
            backfill_and_require()
        finally:
            op.execute("RESET lock_timeout")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_orders_total_not_negative"), "orders", type_="check")
    op.execute("ALTER TABLE orders ALTER COLUMN total_cents DROP DEFAULT")
    op.execute("ALTER TABLE orders ALTER COLUMN total_cents DROP NOT NULL")
    # back to revision 0002's state: its trigger keeps the totals again
    context.script.get_revision("0002").module.create_keep_total_trigger()
