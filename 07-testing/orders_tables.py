"""The order service's tables, in SQLAlchemy 2.0's typed ORM style.

Two tables: `orders` (a unique reference, the customer, a status) and `order_lines`. The
database enforces the rules too (a unique reference, a quantity of at least 1), so a bug in
Python cannot store a bad row; the fake repository must enforce the same rules.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """The order service's metadata: `Base.metadata.create_all(engine)` makes the tables."""


class OrderRow(Base):
    """One order."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    customer: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), default="new")
    # selectin: one extra query loads every listed order's lines, not one query per order
    lines: Mapped[list[LineRow]] = relationship(
        cascade="all, delete-orphan", order_by="LineRow.id", lazy="selectin"
    )


class LineRow(Base):
    """One line of an order."""

    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity >= 1", name="quantity_at_least_one"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int]
    unit_price_cents: Mapped[int]
