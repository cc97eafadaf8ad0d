"""Part 1's N+1 in Django, counted with CaptureQueriesContext, fixed with prefetch_related.

Run `python 01-database/django_n_plus_one.py`. The same 200 orders of three lines each that
sql_n_plus_one.py lists (loaded by its own function, into tables Django's migration made) are
listed with Django three ways: touching `order.lines.all()` in a loop sends 1 query for the
orders and 1 more per order; `prefetch_related("lines")` sends 2 (the second with
`WHERE order_id IN (...)`, as SQLAlchemy's selectinload); and listing the lines with their
product, a many-to-one, `select_related("product")` sends 1, a JOIN (as joinedload). The
queries are counted with Django's own CaptureQueriesContext, the same on every run, and each
way returns the same summaries as SQLAlchemy's selectinload on the same tables.
"""

from __future__ import annotations

from collections.abc import Callable

from django_project import SHOP, temporary_django_database
from sql_models import make_engine
from sql_n_plus_one import add_orders_with_lines

import course

FULL_SIZE = 200
Summary = tuple[int, int]  # order id, number of units across its lines


def order_summaries_lazily() -> list[Summary]:
    """SLOW (N+1): one query for the orders, then one per order for `order.lines.all()`."""
    from django_shop.models import Order

    orders = Order.objects.order_by("id")
    return [(order.id, sum(line.quantity for line in order.lines.all())) for order in orders]


def order_summaries_prefetched() -> list[Summary]:
    """Fixed: a second query fetches every order's lines at once (WHERE order_id IN (...))."""
    from django_shop.models import Order

    orders = Order.objects.prefetch_related("lines").order_by("id")
    return [(order.id, sum(line.quantity for line in order.lines.all())) for order in orders]


def line_skus_lazily() -> list[tuple[int, str]]:
    """SLOW (N+1): each `line.product` is fetched when first touched."""
    from django_shop.models import OrderLine

    return [(line.id, line.product.sku) for line in OrderLine.objects.order_by("id")]


def line_skus_joined() -> list[tuple[int, str]]:
    """Fixed: select_related follows the foreign key in the same query (a JOIN)."""
    from django_shop.models import OrderLine

    lines = OrderLine.objects.select_related("product").order_by("id")
    return [(line.id, line.product.sku) for line in lines]


LOADERS: dict[str, Callable[[], list]] = {
    "orders, lazy (N+1)": order_summaries_lazily,
    "orders, prefetch_related": order_summaries_prefetched,
    "lines, lazy (N+1)": line_skus_lazily,
    "lines, select_related": line_skus_joined,
}


def count_queries(loader: Callable[[], list]) -> dict:
    """Run a loader; return its result and the queries Django sent for it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = loader()
    return {"result": result, "queries": [query["sql"] for query in captured.captured_queries]}


def summaries_sqlalchemy(url: str) -> list[Summary]:
    """The same summaries through SQLAlchemy's selectinload, on the same tables."""
    from sql_n_plus_one import order_summaries_selectin
    from sqlalchemy.orm import Session

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return order_summaries_selectin(session)
    finally:
        engine.dispose()


def main() -> None:
    settings = course.require("postgres")
    with temporary_django_database(settings, prefix="django_n_plus_one", apps=SHOP) as url:
        engine = make_engine(url)
        add_orders_with_lines(engine, orders=FULL_SIZE)  # sql_n_plus_one's data, via SQLAlchemy
        engine.dispose()
        print(f"{FULL_SIZE} orders of 3 lines each (queries counted with CaptureQueriesContext):")
        results = {name: count_queries(loader) for name, loader in LOADERS.items()}
        for number, (name, result) in enumerate(results.items(), start=1):
            count = len(result["queries"])
            print(f"{number}. {name:<26} {count:>4} {'query' if count == 1 else 'queries'}")
        second = results["orders, prefetch_related"]["queries"][1]
        where = second[second.index(" WHERE") :][:60]
        print(f"   prefetch_related's second query ends: ...{where}...")
        same = (results["orders, lazy (N+1)"]["result"]
                == results["orders, prefetch_related"]["result"]
                == summaries_sqlalchemy(url))  # fmt: skip
        print(f"5. Lazy, prefetch_related and SQLAlchemy's selectinload return the same: {same}")
    print("Conclusion: the N+1 is the same in both ORMs, and so is the fix: say up front what")
    print("you will touch, prefetch_related for collections, select_related for foreign keys.")


if __name__ == "__main__":
    course.script_arguments()
    main()
