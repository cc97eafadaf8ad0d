"""The schema's rules are enforced by the database, whatever the code does."""

import pytest
from sql_models import Customer, Order, OrderLine, Product, create_schema
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


@pytest.fixture
def session(engine):
    create_schema(engine)
    with Session(engine) as session:
        session.add(Customer(email="ada@example.com", name="Ada"))
        session.add(Product(sku="KB-01", name="Keyboard", price_cents=8900, stock=1))
        session.commit()
        yield session


@pytest.mark.parametrize(
    ("make_row", "constraint"),
    [
        (lambda: Customer(email="ada@example.com", name="Twin"), "uq_customers_email"),
        (lambda: Product(sku="X", name="Free", price_cents=0), "ck_products_price_positive"),
        (
            lambda: Product(sku="Y", name="Y", price_cents=1, stock=-1),
            "ck_products_stock_not_negative",
        ),
        (lambda: Order(customer_id=999), "fk_orders_customer_id_customers"),
        (lambda: Order(customer_id=1, status="lost"), "ck_orders_status_known"),
        (lambda: Customer(email="nameless@example.com"), None),
    ],
    ids=["unique email", "price > 0", "stock >= 0", "foreign key", "known status", "not null"],
)
def test_the_database_refuses_a_row_that_breaks_a_constraint(session, make_row, constraint):
    session.add(make_row())

    with pytest.raises(IntegrityError) as refused:
        session.commit()

    assert refused.value.orig.diag.constraint_name == constraint


def test_an_order_line_is_unique_per_product_within_an_order(session):
    order = Order(customer_id=1)
    order.lines += [
        OrderLine(product_id=1, quantity=1, unit_price_cents=8900),
        OrderLine(product_id=1, quantity=2, unit_price_cents=8900),
    ]
    session.add(order)

    with pytest.raises(IntegrityError, match="uq_order_lines_order_id_product_id"):
        session.commit()


def test_new_rows_get_their_server_defaults(session):
    order = Order(customer_id=1)
    session.add(order)
    session.commit()

    assert (order.status, order.total_cents) == ("placed", 0)
    assert order.placed_at.tzinfo is not None
    # a Core INSERT naming neither column (sql_upsert.receive() leaves the version to its
    # default): the ORM sets the version itself on an ORM INSERT, so only a Core one shows
    # the server default
    session.execute(text("INSERT INTO products (sku, name, price_cents) VALUES ('CB-02', 'C', 9)"))
    stock_and_version = text("SELECT stock, version FROM products WHERE sku = 'CB-02'")
    assert session.execute(stock_and_version).one() == (0, 1)
