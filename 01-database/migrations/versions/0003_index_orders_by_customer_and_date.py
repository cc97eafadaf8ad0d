"""Index orders by customer and date: "a customer's latest orders" without a full scan.

Revision ID: 0003
Revises: 0002b
Create Date: 2024-06-15

PostgreSQL does not index foreign keys by itself. sql_indexes.py measures what this index
buys. On a large live table, build it with `postgresql_concurrently=True` inside
`op.get_context().autocommit_block()`, so writes are not blocked while it builds.
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
