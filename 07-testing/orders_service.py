"""The order service's use cases: place an order, pay it, total a customer's orders.

They take their repository and cache as arguments (nothing is global), so a test can hand
them the real PostgreSQL repository, the fake one, or a `Mock`. `customer_total_cents_typo`
is THE WRONG WAY on purpose: it calls a method the repository does not have, a bug a plain
`Mock` hides and `create_autospec` catches.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from orders_cache import OrderStatusCache
from orders_domain import Line, Order
from orders_repository import OrderRepository

logger = logging.getLogger(__name__)


def place_order(
    repository: OrderRepository, *, reference: str, customer: str, lines: Iterable[Line]
) -> Order:
    """Store a new order and commit it; return it."""
    order = Order(reference, customer, tuple(lines))
    repository.add(order)
    repository.commit()
    logger.info("placed %s for %s: %d cents", reference, customer, order.total_cents)
    return order


def pay_order(repository: OrderRepository, cache: OrderStatusCache, reference: str) -> Order:
    """Mark an order paid, commit, then update the cache (after the commit, never before)."""
    order = repository.set_status(reference, "paid")
    repository.commit()
    cache.remember(reference, order.status)
    return order


def customer_total_cents(repository: OrderRepository, customer: str) -> int:
    """Return the total of every order the customer placed, in cents."""
    return sum(order.total_cents for order in repository.list_for_customer(customer))


def customer_total_cents_typo(repository: OrderRepository, customer: str) -> int:
    """THE WRONG WAY: `list_by_customer` does not exist; only a spec'd double notices."""
    return sum(order.total_cents for order in repository.list_by_customer(customer))  # type: ignore[attr-defined]
