"""The shop's questions asked with Django's QuerySet API, beside SQLAlchemy's select().

Run `python 01-database/django_orm.py`. Django is configured in code on a temporary database,
`migrate` creates the tables from the django_shop app's migration, and the sample shop of
part 1 is placed through Django's models. Then each question of `sql_queries.py` (customers by
orders and spending: `annotate`, a filter on the annotation, ordering; products under a price;
a page of SKUs), a join through relations (`orders__lines__product__sku`) and an `aggregate`
are asked with a QuerySet, the SQL Django sent is printed (captured, not guessed), and the
SQLAlchemy version of the same question, run on the same tables, returns the same rows.
"""

from __future__ import annotations

import logging

from django_project import SHOP, temporary_django_database
from sql_orm import SAMPLE_ORDERS, SAMPLE_PRODUCTS
from sqlalchemy import Connection, func, select

import course

logger = logging.getLogger(__name__)
Spending = tuple[str, int, int]  # email, orders, cents spent


def add_sample_shop() -> None:
    """Place part 1's sample shop through Django's models, in one transaction."""
    from django.db import transaction
    from django.db.models import F
    from django_shop.models import Customer, Order, OrderLine, Product

    with transaction.atomic():
        products = {p.sku: p for p in Product.objects.bulk_create(
            Product(sku=sku, name=name, price_cents=price, stock=stock)
            for sku, name, price, stock in SAMPLE_PRODUCTS
        )}  # fmt: skip
        for email, orders in SAMPLE_ORDERS.items():
            customer = Customer.objects.create(email=email, name=email.split("@")[0].title())
            for quantities in orders:
                lines = [OrderLine(product=products[sku], quantity=quantity,
                                   unit_price_cents=products[sku].price_cents)
                         for sku, quantity in quantities.items()]  # fmt: skip
                total = sum(line.quantity * line.unit_price_cents for line in lines)
                order = Order.objects.create(customer=customer, total_cents=total)
                for line in lines:
                    line.order = order
                    # F(): the database subtracts, so a concurrent sale is not overwritten;
                    # the version bump tells SQLAlchemy's version_id_col that the row changed
                    Product.objects.filter(pk=line.product_id).update(
                        stock=F("stock") - line.quantity, version=F("version") + 1
                    )
                OrderLine.objects.bulk_create(lines)


def best_customers(*, min_orders: int) -> list[Spending]:
    """Customers with at least `min_orders`, biggest spender first (sql_queries.py's question)."""
    from django.db.models import Count, Sum
    from django_shop.models import Customer

    rows = (
        # the filter BEFORE annotate() makes the join an inner one, as select()'s .join():
        # alone, annotate() is a LEFT JOIN that keeps customers without orders, whose NULL
        # sum "-spent" (DESC, NULLS FIRST in PostgreSQL) would rank first at min_orders=0
        Customer.objects.filter(orders__isnull=False)
        .annotate(orders_count=Count("orders"), spent=Sum("orders__total_cents"))
        .filter(orders_count__gte=min_orders)  # a filter on an annotation becomes HAVING
        .order_by("-spent", "email")
        .values_list("email", "orders_count", "spent")
    )
    return list(rows)


def affordable_products(*, max_price_cents: int, in_stock: bool = True) -> list[str]:
    """SKUs at or under a price, cheapest first (filters combine with AND)."""
    from django_shop.models import Product

    products = Product.objects.filter(price_cents__lte=max_price_cents)
    if in_stock:
        products = products.filter(stock__gt=0)
    return list(products.order_by("price_cents", "sku").values_list("sku", flat=True))


def products_page(*, page: int, page_size: int) -> list[str]:
    """One page of SKUs in a stable order: slicing a QuerySet is LIMIT and OFFSET."""
    from django_shop.models import Product

    start = (page - 1) * page_size
    return list(
        Product.objects.order_by("sku").values_list("sku", flat=True)[start : start + page_size]
    )


def buyers_of(sku: str) -> list[str]:
    """Emails of the customers who bought a product: double underscores follow relations."""
    from django_shop.models import Customer

    # the join to order lines repeats a customer once per line of that product: distinct()
    buyers = Customer.objects.filter(orders__lines__product__sku=sku).distinct()
    return list(buyers.order_by("email").values_list("email", flat=True))


def buyers_of_sqlalchemy(connection: Connection, sku: str) -> list[str]:
    """The same question with select(): the joins written out, one per relation."""
    from sql_models import Customer, Order, OrderLine, Product

    statement = (
        select(Customer.email)
        .join(Customer.orders).join(Order.lines).join(OrderLine.product)
        .where(Product.sku == sku)
        .distinct()  # one row per matching line otherwise, as in Django
        .order_by(Customer.email)
    )  # fmt: skip
    return list(connection.scalars(statement))


def revenue() -> dict[str, int]:
    """Units sold and revenue over every line: `aggregate` returns one dict, not rows."""
    from django.db.models import F, Sum
    from django_shop.models import OrderLine

    return OrderLine.objects.aggregate(
        units=Sum("quantity"), revenue_cents=Sum(F("quantity") * F("unit_price_cents"))
    )


def revenue_sqlalchemy(connection: Connection) -> dict[str, int]:
    """The same aggregate with select()."""
    from sql_models import OrderLine

    statement = select(
        func.sum(OrderLine.quantity).label("units"),
        func.sum(OrderLine.quantity * OrderLine.unit_price_cents).label("revenue_cents"),
    )
    return dict(connection.execute(statement).one()._mapping)


def sql_sent(ask) -> tuple[object, list[str]]:
    """Run `ask()`; return its result and the SQL Django sent for it, as the server got it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = ask()
    return result, [query["sql"] for query in captured.captured_queries]


def print_sql(statements: list[str]) -> None:
    """Print captured SQL, indented, one statement per paragraph."""
    for statement in statements:
        print(f"   SQL: {statement}")


def main() -> None:
    from sql_models import make_engine
    from sql_queries import affordable_products as affordable_sqlalchemy
    from sql_queries import best_customers_orm
    from sql_queries import products_page as page_sqlalchemy
    from sqlalchemy.orm import Session

    settings = course.require("postgres")
    with temporary_django_database(settings, prefix="django_orm", apps=SHOP) as url:
        add_sample_shop()
        print("1. migrate created the tables from django_shop/migrations/0001_initial.py;")
        print("   part 1's sample shop was placed through Django's models.")
        rows, sql = sql_sent(lambda: best_customers(min_orders=1))
        print(f"2. Customers with at least 1 order, biggest spender first: {rows}")
        print_sql(sql)
        engine = make_engine(url)
        with Session(engine) as session, engine.connect() as connection:
            answers = {
                "best customers": (rows, best_customers_orm(session, min_orders=1)),
                "in stock under 30.00": (
                    affordable_products(max_price_cents=3000),
                    [p.sku for p in affordable_sqlalchemy(session, max_price_cents=3000)],
                ),
                "page 2 of 3 SKUs": (
                    products_page(page=2, page_size=3),
                    page_sqlalchemy(session, page=2, page_size=3),
                ),
                "buyers of CB-02": (buyers_of("CB-02"), buyers_of_sqlalchemy(connection, "CB-02")),
                "units and revenue": (revenue(), revenue_sqlalchemy(connection)),
            }
        engine.dispose()
        _, sql = sql_sent(lambda: buyers_of("CB-02"))
        print("3. A join through relations, orders__lines__product__sku='CB-02':")
        print_sql(sql)
        print("4. The same questions with Django and with SQLAlchemy, on the same tables:")
        for number, (question, (django_rows, sqlalchemy_rows)) in enumerate(answers.items()):
            same = "same rows" if django_rows == sqlalchemy_rows else "DIFFERENT"
            print(f"   {chr(ord('a') + number)}. {question:<21} {django_rows}  {same}")
    print("Conclusion: a QuerySet is lazy, chainable and sent when iterated; print the SQL it")
    print("sent (CaptureQueriesContext) as you would SQLAlchemy's, and both ORMs agree.")


if __name__ == "__main__":
    course.script_arguments()
    main()
