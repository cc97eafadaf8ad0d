"""A fake order repository that keeps the real one's contract: the reference solution."""

from __future__ import annotations

from dataclasses import replace

from orders_domain import DuplicateOrder, Order, OrderNotFound


class InMemoryOrders:
    """Orders in memory, held to the same contract as the PostgreSQL repository."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}

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
        mine = [order for order in self.orders.values() if order.customer == customer]
        return sorted(mine, key=lambda order: order.reference)

    def set_status(self, reference: str, status: str) -> Order:
        """Change an order's status and return the order; raise OrderNotFound."""
        if reference not in self.orders:
            raise OrderNotFound(f"no order {reference}")
        # replace() builds a new frozen Order, and its __post_init__ validates the status
        self.orders[reference] = replace(self.orders[reference], status=status)
        return self.orders[reference]

    def commit(self) -> None:
        """Nothing to commit in memory."""
