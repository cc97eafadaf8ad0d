"""The client layers that sql_layers.py measures, each on one open connection.

`layers(url)` opens them and yields, per layer, a lookup (one product by primary key), a
read (1,000 products by an id range) and `prepared()`, how many statements on products its
connection has prepared on the server: bare psycopg, psycopg with a server-side prepared
statement, SQLAlchemy Core, the SQLAlchemy ORM, and the Django ORM building models or, with
`values_list`, tuples. Every connection runs in autocommit (no BEGIN before each query, as
pgbench sends none) and every layer selects the same six columns. They still differ in more
than the Python work: only one is prepared (as pgbench -M prepared is), and Django binds the
values into the SQL on the client, and adds `LIMIT 21` to `get()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import NamedTuple

import psycopg
from django_project import close_connections, configure
from sql_models import Product, create_schema, make_engine
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from course.services.probes import sqlalchemy_url_to_libpq

ROWS = 100_000
READ_SIZE = 1_000
COLUMNS = "id, sku, name, price_cents, stock, version"
LOOKUP_SQL = f"SELECT {COLUMNS} FROM products WHERE id = %s"  # nosec B608  # a constant column list
READ_SQL = f"SELECT {COLUMNS} FROM products WHERE id BETWEEN %s AND %s"  # nosec B608  # a constant column list
# statements on products this session prepared on the server (session-local, so it is asked
# on the layer's own connection)
PREPARED_SQL = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM products%'"
Query = Callable[[int], object]  # given an id (the lookup's, or the read's first), runs once


class Layer(NamedTuple):
    lookup: Query
    read: Query
    prepared: Callable[[], int]


def add_products(url: str, *, rows: int = ROWS) -> None:
    """Create the shop's tables and fill products with `rows` rows, ids 1 to `rows`."""
    engine = make_engine(url)
    create_schema(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO products (sku, name, price_cents, stock)"
                " SELECT 'SKU-' || n, 'Product ' || n, 100 + n % 900, 10"
                " FROM generate_series(1, :rows) AS n"
            ),
            {"rows": rows},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE products"))  # statistics and a visibility map
    engine.dispose()


def psycopg_layer(stack: ExitStack, url: str, *, prepare: bool, size: int) -> Layer:
    """Bare psycopg on one connection; `prepare=True` makes it a server-side prepared statement."""
    # prepare= alone decides: True prepares at the first run, False never (by default psycopg
    # prepares a query after its 5th run). NOT prepare_threshold=None: that disables
    # preparing on the whole connection, prepare=True included
    connection = stack.enter_context(psycopg.connect(sqlalchemy_url_to_libpq(url), autocommit=True))

    def lookup(id_: int) -> tuple:
        return connection.execute(LOOKUP_SQL, (id_,), prepare=prepare).fetchone()

    def read(first: int) -> list[tuple]:
        return connection.execute(READ_SQL, (first, first + size - 1), prepare=prepare).fetchall()

    return Layer(lookup, read, lambda: connection.execute(PREPARED_SQL).fetchone()[0])


def sqlalchemy_layers(stack: ExitStack, url: str, *, size: int) -> dict[str, Layer]:
    """SQLAlchemy Core (rows) and the ORM (objects, a new Session each time) on one connection."""
    engine = make_engine(
        url, isolation_level="AUTOCOMMIT", connect_args={"prepare_threshold": None}
    )
    stack.callback(engine.dispose)
    connection = stack.enter_context(engine.connect())
    table = Product.__table__

    def core_lookup(id_: int) -> object:
        return connection.execute(select(table).where(table.c.id == id_)).one()

    def core_read(first: int) -> list:
        between = table.c.id.between(first, first + size - 1)
        return connection.execute(select(table).where(between)).all()

    def orm_lookup(id_: int) -> Product | None:
        with Session(connection) as session:  # one Session per request: an empty identity map
            return session.get(Product, id_)

    def orm_read(first: int) -> list[Product]:
        with Session(connection) as session:
            between = Product.id.between(first, first + size - 1)
            return list(session.scalars(select(Product).where(between)))

    def prepared() -> int:
        return connection.execute(text(PREPARED_SQL)).scalar_one()

    return {
        "SQLAlchemy Core": Layer(core_lookup, core_read, prepared),
        "SQLAlchemy ORM": Layer(orm_lookup, orm_read, prepared),
    }


def django_layers(url: str, *, size: int) -> dict[str, Layer]:
    """The Django ORM on this thread's connection: model instances, and tuples (values_list)."""
    configure(url)
    from django_shop.models import Product as DjangoProduct

    columns = ("id", "sku", "name", "price_cents", "stock", "version")
    products = DjangoProduct.objects

    def lookup(id_: int) -> object:
        return products.get(pk=id_)

    def read(first: int) -> list:
        return list(products.filter(pk__range=(first, first + size - 1)))

    def tuple_lookup(id_: int) -> tuple:
        return products.values_list(*columns).get(pk=id_)

    def tuple_read(first: int) -> list[tuple]:
        return list(products.filter(pk__range=(first, first + size - 1)).values_list(*columns))

    def prepared() -> int:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(PREPARED_SQL.replace("%", "%%"))  # Django's cursor reads %s
            return cursor.fetchone()[0]

    return {
        "Django ORM": Layer(lookup, read, prepared),
        "Django values_list": Layer(tuple_lookup, tuple_read, prepared),
    }


@contextmanager
def layers(url: str, *, size: int = READ_SIZE) -> Iterator[dict[str, Layer]]:
    """Open one connection per layer; yield each layer's (lookup, read) functions by name."""
    with ExitStack() as stack:
        found = {
            "psycopg": psycopg_layer(stack, url, prepare=False, size=size),
            "psycopg, prepared": psycopg_layer(stack, url, prepare=True, size=size),
            **sqlalchemy_layers(stack, url, size=size),
            **django_layers(url, size=size),
        }
        stack.callback(close_connections)
        yield found
