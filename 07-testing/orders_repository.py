"""Where orders live: the real repository over PostgreSQL, and the fake one tests use.

Both have the same methods (`add`, `get`, `list_for_customer`, `set_status`, `commit`), and
one contract test (`tests/test_orders_repository_contract.py`) runs against both: that test is
what gives a fast fake the right to stand in for the real thing. `NaiveFakeOrderRepository`
is THE WRONG WAY: a fake that skips the uniqueness rule, so tests pass against it that the real
database fails.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Protocol

from orders_domain import DuplicateOrder, Line, Order, OrderNotFound
from orders_tables import LineRow, OrderRow
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


class OrderRepository(Protocol):
    """What the order service needs from storage."""

    def add(self, order: Order) -> None: ...
    def get(self, reference: str) -> Order | None: ...
    def list_for_customer(self, customer: str) -> list[Order]: ...
    def set_status(self, reference: str, status: str) -> Order: ...
    def commit(self) -> None: ...


def order_from_row(row: OrderRow) -> Order:
    """Return the domain order for a database row."""
    lines = tuple(Line(line.sku, line.quantity, line.unit_price_cents) for line in row.lines)
    return Order(row.reference, row.customer, lines, row.status)


class SqlOrderRepository:
    """Orders in PostgreSQL through a SQLAlchemy session; the caller owns the session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, order: Order) -> None:
        """Store a new order; raise DuplicateOrder if its reference is taken."""
        row = OrderRow(reference=order.reference, customer=order.customer, status=order.status)
        row.lines = [
            LineRow(sku=x.sku, quantity=x.quantity, unit_price_cents=x.unit_price_cents)
            for x in order.lines
        ]
        try:
            # a savepoint: a duplicate undoes this insert only, the session stays usable
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            raise DuplicateOrder(f"an order {order.reference} exists already") from None

    def get(self, reference: str) -> Order | None:
        """Return the order with this reference, or None."""
        row = self.session.scalars(select(OrderRow).filter_by(reference=reference)).one_or_none()
        return order_from_row(row) if row else None

    def list_for_customer(self, customer: str) -> list[Order]:
        """Return the customer's orders, by reference."""
        query = select(OrderRow).filter_by(customer=customer).order_by(OrderRow.reference)
        return [order_from_row(row) for row in self.session.scalars(query)]

    def set_status(self, reference: str, status: str) -> Order:
        """Change an order's status and return the order; raise OrderNotFound."""
        row = self.session.scalars(select(OrderRow).filter_by(reference=reference)).one_or_none()
        if row is None:
            raise OrderNotFound(f"no order {reference}")
        updated = replace(order_from_row(row), status=status)  # validates the status first
        row.status = updated.status
        self.session.flush()
        return updated

    def commit(self) -> None:
        """Commit the session's transaction."""
        self.session.commit()


class FakeOrderRepository:
    """Orders in a dict: fast, no server, and held to the same contract as the real one."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.commits = 0

    def add(self, order: Order) -> None:
        """Store a new order; raise DuplicateOrder if its reference is taken."""
        if order.reference in self.orders:
            raise DuplicateOrder(f"an order {order.reference} exists already")
        self.orders[order.reference] = order

    def get(self, reference: str) -> Order | None:
        """Return the order with this reference, or None."""
        return self.orders.get(reference)

    def list_for_customer(self, customer: str) -> list[Order]:
        """Return the customer's orders, by reference."""
        return sorted(
            (o for o in self.orders.values() if o.customer == customer),
            key=lambda order: order.reference,
        )

    def set_status(self, reference: str, status: str) -> Order:
        """Change an order's status and return the order; raise OrderNotFound."""
        if reference not in self.orders:
            raise OrderNotFound(f"no order {reference}")
        self.orders[reference] = replace(self.orders[reference], status=status)
        return self.orders[reference]

    def commit(self) -> None:
        """Count the commit (a dict has nothing to commit)."""
        self.commits += 1


class NaiveFakeOrderRepository(FakeOrderRepository):
    """THE WRONG WAY: a fake written from memory, which forgot that references are unique."""

    def add(self, order: Order) -> None:
        """Store the order, silently replacing one with the same reference."""
        self.orders[order.reference] = order
