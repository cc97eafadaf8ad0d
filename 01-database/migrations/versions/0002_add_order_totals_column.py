"""Add orders.total_cents, nullable, and a trigger that keeps it right: the expand step.

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-08

Expand and contract, with the deploy between them:
1. This revision (expand) adds the column, nullable and without a default (a catalog change,
   no table rewrite), and a trigger on order_lines that recomputes an order's total whenever
   one of its lines is inserted, changed or deleted.
2. Deploy the code that writes the total (sql_orm.py's `place_order`). It can only run once
   the column exists, which is why this is a revision of its own.
3. Revision 0002b (contract) backfills the old orders, proves NOT NULL and drops the trigger.
The trigger is there for the writers that do not know the column yet: the old code, still
running until the deploy ends, and any line written while a backfill batch runs. Without it, a
line committed after a batch's snapshot is never counted: the batch has already set the total.
It locks the order row first, then sums in a new statement, whose snapshot sees every line
committed by the writer that held the lock (a sum in the same statement as the wait would not).
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KEEP_TOTAL_FUNCTION = """
CREATE OR REPLACE FUNCTION order_lines_keep_total() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched integer;
BEGIN
    FOR touched IN
        SELECT DISTINCT order_id FROM (VALUES
            (CASE WHEN TG_OP <> 'INSERT' THEN OLD.order_id END),
            (CASE WHEN TG_OP <> 'DELETE' THEN NEW.order_id END)) AS changed (order_id)
        WHERE order_id IS NOT NULL ORDER BY order_id  -- in id order: no deadlock between two
    LOOP
        PERFORM 1 FROM orders WHERE id = touched FOR NO KEY UPDATE;  -- wait for the others
        UPDATE orders SET total_cents = COALESCE(
            (SELECT sum(quantity * unit_price_cents) FROM order_lines
             WHERE order_lines.order_id = touched), 0)
        WHERE id = touched;
    END LOOP;
    RETURN NULL;
END
$$
"""
KEEP_TOTAL_TRIGGER = """
CREATE TRIGGER order_lines_keep_total AFTER INSERT OR UPDATE OR DELETE ON order_lines
FOR EACH ROW EXECUTE FUNCTION order_lines_keep_total()
"""


def create_keep_total_trigger() -> None:
    """Install the trigger that recomputes an order's total when its lines change."""
    op.execute(KEEP_TOTAL_FUNCTION)
    op.execute("DROP TRIGGER IF EXISTS order_lines_keep_total ON order_lines")
    op.execute(KEEP_TOTAL_TRIGGER)


def upgrade() -> None:
    # LOCAL: for this revision's transaction only (env.py runs one per revision), so the
    # setting never leaks into the next revision of the same `upgrade head`
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.execute("ALTER TABLE orders ADD COLUMN IF NOT EXISTS total_cents integer")
    create_keep_total_trigger()


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS order_lines_keep_total ON order_lines")
    op.execute("DROP FUNCTION IF EXISTS order_lines_keep_total()")
    op.drop_column("orders", "total_cents")
