"""Index orders by customer and date: "a customer's latest orders" without a full scan.

Revision ID: 0003
Revises: 0002b
Create Date: 2024-06-15

PostgreSQL does not index foreign keys by itself. sql_indexes.py measures what this index
buys. This plain CREATE INDEX takes a SHARE lock on orders: reads go on, every write waits
until the build ends (instant on the lesson's tables). On a large live table, build it with
`postgresql_concurrently=True` inside `op.get_context().autocommit_block()` (CONCURRENTLY
cannot run in a transaction), so writes are not blocked while it builds; a failed concurrent
build leaves an INVALID index to drop before running it again.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_orders_customer_id_placed_at"), "orders", ["customer_id", "placed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_orders_customer_id_placed_at"), table_name="orders")
