"""transaction.atomic: an order written whole or not at all; a nested atomic is a savepoint.

Run `python 01-database/django_transactions.py`. It repeats sql_transactions.py with Django.
An order for a keyboard and ten monitors, when three monitors are left, is refused as a whole:
the CHECK (stock >= 0) stops the monitors, and leaving the `atomic` block with the error rolls
back the keyboard's stock and the order row too. Then a batch import runs each order's
`atomic()` inside the batch's own: nested, Django sends it as SAVEPOINT, then RELEASE
SAVEPOINT or ROLLBACK TO SAVEPOINT, so one bad order is undone alone while the others commit
together. Catch the error OUTSIDE the nested block: caught inside it, Django cannot know that
the savepoint must be rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django_orm import add_sample_shop
from django_project import SHOP, temporary_django_database

import course

logger = logging.getLogger(__name__)


class OrderRefused(Exception):
    """The order breaks a rule the database enforces (not enough stock, unknown product)."""


def place_order(*, email: str, quantities_by_sku: dict[str, int]) -> int:
    """Place an order in one transaction and return its id; raise OrderRefused, writing nothing."""
    from django.db import IntegrityError, transaction
    from django.db.models import F
    from django_shop.models import Customer, Order, OrderLine, Product

    try:
        with transaction.atomic():  # BEGIN; COMMIT at the end, ROLLBACK if it raises
            customer = Customer.objects.get(email=email)
            # the products' rows locked in id order, as sql_transactions.py does, so that two
            # orders for the same products queue instead of deadlocking
            products = list(Product.objects.select_for_update()
                            .filter(sku__in=quantities_by_sku).order_by("id"))  # fmt: skip
            if len(products) != len(quantities_by_sku):
                raise OrderRefused("unknown product")
            lines = [OrderLine(product=p, quantity=quantities_by_sku[p.sku],
                               unit_price_cents=p.price_cents) for p in products]  # fmt: skip
            order = Order.objects.create(
                customer=customer, total_cents=sum(x.quantity * x.unit_price_cents for x in lines)
            )
            for line in lines:
                line.order = order
                Product.objects.filter(pk=line.product_id).update(  # version: for SQLAlchemy
                    stock=F("stock") - line.quantity, version=F("version") + 1
                )
            OrderLine.objects.bulk_create(lines)
            return order.id
    except IntegrityError as error:
        raise OrderRefused(error.__cause__.diag.constraint_name) from error
    except Customer.DoesNotExist as error:
        raise OrderRefused(f"unknown customer: {email}") from error


def import_orders(
    batch: list[tuple[str, dict[str, int]]], *, after_first_order: Callable[[], None] = lambda: None
) -> list[bool]:
    """Place a batch of orders in one transaction, each in a savepoint; return which were placed."""
    from django.db import transaction
    from django_shop.models import Product

    placed = []
    with transaction.atomic():
        # a released savepoint keeps its row locks until the batch commits, so the batch holds
        # every order's locks at once: take them all first, in id order, as sql_transactions.py
        # does, or two batches naming the same products in other orders deadlock
        skus = sorted({sku for _, quantities_by_sku in batch for sku in quantities_by_sku})
        list(Product.objects.select_for_update().filter(sku__in=skus).order_by("id")
             .values_list("id", flat=True))  # fmt: skip
        for number, (email, quantities_by_sku) in enumerate(batch):
            try:
                # place_order's own atomic(), nested in this one, is a SAVEPOINT: RELEASE
                # SAVEPOINT when it succeeds, ROLLBACK TO SAVEPOINT when it raises
                place_order(email=email, quantities_by_sku=quantities_by_sku)
                placed.append(True)
            except OrderRefused as refused:
                logger.info("order for %s refused: %s", email, refused)
                placed.append(False)
            if number == 0:
                after_first_order()  # for the test of two batches at once: a point to pause
    return placed


def stock_by_sku() -> dict[str, int]:
    """Return every product's stock."""
    from django_shop.models import Product

    return dict(Product.objects.order_by("sku").values_list("sku", "stock"))


def order_count() -> int:
    """Return how many orders exist."""
    from django_shop.models import Order

    return Order.objects.count()


def main() -> None:
    settings = course.require("postgres")
    with temporary_django_database(settings, prefix="django_transactions", apps=SHOP):
        add_sample_shop()
        before = stock_by_sku()
        print(f"1. Stock before: {before}; orders: {order_count()}")
        print("2. Order 1 keyboard + 10 monitors (only 3 monitors left):")
        try:
            place_order(email="ada@example.com", quantities_by_sku={"KB-01": 1, "MN-27": 10})
        except OrderRefused as refused:
            print(f"   refused by the constraint {refused}")
        print(f"   nothing was half-written: {stock_by_sku() == before}; orders: {order_count()}")
        print("3. Import three orders in one transaction, each in a nested atomic (a savepoint):")
        batch = [
            ("ada@example.com", {"MS-01": 2}),
            ("grace@example.com", {"MN-27": 99}),
            ("linus@example.com", {"CB-02": 5}),
        ]
        for (email, quantities), placed in zip(batch, import_orders(batch), strict=True):
            print(f"   {email:<20} {quantities}  {'placed' if placed else 'rolled back alone'}")
        print(f"   stock after: {stock_by_sku()}; orders: {order_count()}")
    print("Conclusion: transaction.atomic is SQLAlchemy's session.begin(), and a nested atomic")
    print("its begin_nested(): one part can fail without losing the rest.")


if __name__ == "__main__":
    course.script_arguments()
    main()
