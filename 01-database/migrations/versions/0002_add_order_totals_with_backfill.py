"""Add orders.total_cents, backfilled from the order lines.

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-08

A NOT NULL column cannot be added to a table that has rows without saying what those rows
hold. The safe sequence: add it nullable, fill it from the data already there (the backfill),
then make it NOT NULL and add its CHECK.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("total_cents", sa.Integer(), nullable=True))
    op.execute(
        """
        UPDATE orders SET total_cents = COALESCE(
            (SELECT sum(quantity * unit_price_cents) FROM order_lines
             WHERE order_lines.order_id = orders.id), 0)
        """
    )
    op.alter_column("orders", "total_cents", nullable=False, server_default="0")
    op.create_check_constraint(op.f("ck_orders_total_not_negative"), "orders", "total_cents >= 0")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_orders_total_not_negative"), "orders", type_="check")
    op.drop_column("orders", "total_cents")
