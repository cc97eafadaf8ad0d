"""A fake order repository that keeps the real one's contract.

Write `InMemoryOrders`, a fake of `SqlOrderRepository` that keeps orders in memory, with the
same five methods and the same rules:
- `add(order)` stores a new order; if an order with the same reference exists, it raises
  `DuplicateOrder` (from `orders_domain`) and keeps the first order;
- `get(reference)` returns the order, or None;
- `list_for_customer(customer)` returns that customer's orders sorted by reference;
- `set_status(reference, status)` returns the order with the new status and stores it; an
  unknown reference raises `OrderNotFound`, an unknown status `InvalidOrder` (hint:
  `dataclasses.replace` on an `Order` validates the status for you);
- `commit()` does nothing that a test could see go wrong.

`orders_repository.py` has the real repository and `part1-doubles.md` explains the contract.
Check your work with `.venv/bin/course check 07 ex01`; a hint: `.venv/bin/course hint 07 ex01`.
"""

from __future__ import annotations

from orders_domain import Order


class InMemoryOrders:
    """Orders in memory, held to the same contract as the PostgreSQL repository."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}

    def add(self, order: Order) -> None:
        """Store a new order; raise DuplicateOrder if its reference is taken."""
        # TODO: refuse a reference that is already stored, else store the order
        raise NotImplementedError("TODO: add an order")

    def get(self, reference: str) -> Order | None:
        """Return the order with this reference, or None."""
        raise NotImplementedError("TODO: get an order")

    def list_for_customer(self, customer: str) -> list[Order]:
        """Return the customer's orders, by reference."""
        raise NotImplementedError("TODO: list a customer's orders")

    def set_status(self, reference: str, status: str) -> Order:
        """Change an order's status and return the order; raise OrderNotFound."""
        raise NotImplementedError("TODO: change an order's status")

    def commit(self) -> None:
        """Nothing to commit in memory."""
