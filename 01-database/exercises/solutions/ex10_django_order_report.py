"""An order report in Django without an N+1: the reference solution."""

from __future__ import annotations


def order_report() -> list[tuple[int, str, int]]:
    """Return (order id, customer email, units) for every order, by id, in at most 2 queries."""
    from django.db.models import Sum
    from django.db.models.functions import Coalesce
    from django_shop.models import Order

    # one query: JOIN customers for the email, LEFT JOIN order_lines summed per order;
    # Coalesce turns the SUM of no lines (NULL) into 0
    orders = Order.objects.annotate(units=Coalesce(Sum("lines__quantity"), 0)).order_by("id")
    return list(orders.values_list("id", "customer__email", "units"))
