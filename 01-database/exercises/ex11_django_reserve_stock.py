"""Reserve stock with Django under concurrency: no lost update, never below zero, one query.

Write `reserve(sku, quantity)`. If the product has at least `quantity` in stock, it takes
`quantity` off and returns True; otherwise it changes nothing and returns False. Eight
customers may reserve at the same moment, each in its own thread: no reservation may be lost,
and the stock may never be oversold (the test races them). Send one query: no read before the
write (the test counts them). One statement needs no `atomic()`: in Django's autocommit it is
a transaction of its own.

`django_concurrency.py` shows the lost update of `save()` after a read, and the two fixes.

Check your work with `.venv/bin/course check 01 ex11`; a hint: `.venv/bin/course hint 01 ex11`.
"""

from __future__ import annotations


def reserve(sku: str, quantity: int) -> bool:
    """Take `quantity` off the product's stock if it has that many; return whether it did."""
    from django_shop.models import Product

    # TODO: this reads, decides in Python and writes back: two threads both read the same
    # stock. Let one UPDATE do the check and the arithmetic, and return what it changed
    product = Product.objects.get(sku=sku)
    if product.stock < quantity:
        return False
    product.stock -= quantity
    product.save(update_fields=["stock"])
    return True
