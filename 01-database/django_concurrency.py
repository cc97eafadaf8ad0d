"""The lost update in Django, with two real threads, and the two fixes Django spells for it.

Run `python 01-database/django_concurrency.py`. As in sql_concurrency.py, two customers buy
the same keyboard at the same moment, each in its own thread (Django gives every thread its
own connection). The WRONG way, `product.stock -= 1; product.save()`, loses one sale: both
threads read 10, both write 9. `F("stock") - 1` in an `update()` lets the database do the
arithmetic (UPDATE ... SET stock = stock - 1 WHERE stock >= 1), and `select_for_update()`
inside `atomic()` locks the row (SELECT ... FOR UPDATE), so the second buyer waits and reads
the first one's result. The interleaving is forced with a Barrier, an Event and a wait until
PostgreSQL shows a session blocked on the lock (sql_threads.py), so each outcome is the same
on every run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

from django_project import SHOP, close_connections, temporary_django_database
from sql_models import make_engine
from sql_threads import WAIT_SECONDS, Hook, nothing, run_in_threads, wait_for_a_blocked_session
from sqlalchemy import Engine

import course


def buy_naively(sku: str, *, after_read: Hook = nothing) -> None:
    """WRONG: read the product, subtract in Python, save() writes the stale result back."""
    from django.db import transaction
    from django_shop.models import Product

    with transaction.atomic():  # a transaction alone does not help at READ COMMITTED
        product = Product.objects.get(sku=sku)
        after_read()
        product.stock -= 1
        product.save(update_fields=["stock"])


def buy_with_f(sku: str, *, before_write: Hook = nothing, after_write: Hook = nothing) -> bool:
    """Fix 1: F() makes one UPDATE do the arithmetic and the check; False when sold out."""
    from django.db import transaction
    from django.db.models import F
    from django_shop.models import Product

    with transaction.atomic():
        before_write()
        # version: SQLAlchemy's version_id_col on the same table must see this write too
        sold = Product.objects.filter(sku=sku, stock__gte=1).update(
            stock=F("stock") - 1, version=F("version") + 1
        )
        after_write()
    return sold == 1


def buy_with_row_lock(sku: str, *, before_read: Hook = nothing, after_read: Hook = nothing) -> None:
    """Fix 2: select_for_update() locks the row until the atomic block commits."""
    from django.db import transaction
    from django_shop.models import Product

    with transaction.atomic():  # select_for_update outside atomic() raises an error
        before_read()
        product = Product.objects.select_for_update().get(sku=sku)
        after_read()
        product.stock -= 1
        product.version += 1  # the row is locked, so the version read is the current one
        product.save(update_fields=["stock", "version"])


def in_own_connection(call: Callable[[], object]) -> Callable[[], object]:
    """Wrap a call for a thread: it closes the thread's Django connection when done."""

    def run() -> object:
        try:
            return call()
        finally:
            close_connections()

    return run


def two_buyers(engine: Engine, sku: str, strategy: str) -> list[object]:
    """Let two threads buy one unit each, forcing the interleaving that loses an update."""
    if strategy == "naive":  # both read the stock before either writes
        both_read = threading.Barrier(2, timeout=WAIT_SECONDS)
        each = in_own_connection(partial(buy_naively, sku, after_read=both_read.wait))
        return run_in_threads(each, each)
    first_holds_lock = threading.Event()

    def hold_until_second_waits() -> None:  # engine: a SQLAlchemy view of the same database
        first_holds_lock.set()
        wait_for_a_blocked_session(engine)

    def come_second() -> None:
        first_holds_lock.wait(WAIT_SECONDS)

    if strategy == "F()":
        first = partial(buy_with_f, sku, after_write=hold_until_second_waits)
        second = partial(buy_with_f, sku, before_write=come_second)
    elif strategy == "select_for_update":
        first = partial(buy_with_row_lock, sku, after_read=hold_until_second_waits)
        second = partial(buy_with_row_lock, sku, before_read=come_second)
    else:
        raise ValueError(f"unknown strategy {strategy!r}")
    return run_in_threads(in_own_connection(first), in_own_connection(second))


STRATEGIES = ["naive", "F()", "select_for_update"]


def add_keyboard(sku: str, *, stock: int) -> None:
    """Add a keyboard with this stock."""
    from django_shop.models import Product

    Product.objects.create(sku=sku, name="Mechanical keyboard", price_cents=8900, stock=stock)


def stock_of(sku: str) -> int:
    """Return the product's committed stock."""
    from django_shop.models import Product

    return Product.objects.get(sku=sku).stock


def main() -> None:
    settings = course.require("postgres")
    with temporary_django_database(settings, prefix="django_concurrency", apps=SHOP) as url:
        engine = make_engine(url)
        print("Two buyers, one keyboard each, at the same moment; the stock starts at 10.")
        for number, strategy in enumerate(STRATEGIES, start=1):
            sku = f"KB-{number:02}"
            add_keyboard(sku, stock=10)
            two_buyers(engine, sku, strategy)
            stock = stock_of(sku)
            verdict = "correct" if stock == 8 else "LOST UPDATE: one sale vanished"
            print(f"{number}. {strategy:<18} stock after: {stock}  {verdict}")
        engine.dispose()
    print("Conclusion: save() writes back what you read; let the database do the arithmetic")
    print("with F(), or lock the row with select_for_update() inside atomic().")


if __name__ == "__main__":
    course.script_arguments()
    main()
