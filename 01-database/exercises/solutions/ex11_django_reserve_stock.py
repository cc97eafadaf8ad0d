"""Reserve stock with Django under concurrency: the reference solution."""

from __future__ import annotations


def reserve(sku: str, quantity: int) -> bool:
    """Take `quantity` off the product's stock if it has that many; return whether it did."""
    from django.db.models import F
    from django_shop.models import Product

    # UPDATE products SET stock = stock - q WHERE sku = ... AND stock >= q: the row lock the
    # UPDATE takes makes a second buyer re-check the condition against the first one's result;
    # the version bump keeps SQLAlchemy's optimistic lock on the same table honest
    updated = Product.objects.filter(sku=sku, stock__gte=quantity).update(
        stock=F("stock") - quantity, version=F("version") + 1
    )
    return updated == 1
