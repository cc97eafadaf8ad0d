"""Create, read, update and delete with the ORM: the Session is a unit of work.

Run `python 01-database/sql_orm.py`. You will see objects added to a Session turn into
INSERTs only when the Session flushes, in the order the foreign keys need (customer, then
order, then its lines), all in one transaction; a change to an attribute becomes one UPDATE;
and a constraint the database enforces (a second customer with the same email) is refused
with an IntegrityError that rolls the whole unit back.
"""

from __future__ import annotations

import logging

from sql_models import Customer, Order, OrderLine, Product, create_schema, make_engine
from sql_statements import recorded_statements
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import course
from course.sandbox import temporary_postgres_database

logger = logging.getLogger(__name__)

SAMPLE_PRODUCTS = [  # sku, name, price in cents, stock
    ("KB-01", "Mechanical keyboard", 8900, 12),
    ("MS-01", "Wireless mouse", 2900, 30),
    ("MN-27", "27-inch monitor", 25900, 5),
    ("CB-02", "USB-C cable", 900, 100),
]
SAMPLE_ORDERS = {  # customer email -> orders, each {sku: quantity}
    "ada@example.com": [{"KB-01": 1, "MS-01": 1}, {"CB-02": 3}],
    "grace@example.com": [{"MN-27": 2, "CB-02": 2}],
    "linus@example.com": [],
}


def register_customer(session: Session, *, email: str, name: str) -> Customer:
    """Add a new customer to the session (it is INSERTed at the next flush)."""
    customer = Customer(email=email, name=name)
    session.add(customer)
    return customer


def place_order(session: Session, *, customer: Customer, quantities: dict[Product, int]) -> Order:
    """Add an order with one line per product, take the stock, and set its total.

    Under concurrency the caller must hold the products' row locks and have loaded the
    products from the locked rows (`order_from_skus` in sql_transactions.py does both);
    otherwise `stock -= quantity` works on a stale read, and the version column turns the
    other writer's change into a StaleDataError.
    """
    order = Order(customer=customer)
    for product, quantity in quantities.items():
        order.lines.append(
            OrderLine(product=product, quantity=quantity, unit_price_cents=product.price_cents)
        )
        product.stock -= quantity  # a CHECK (stock >= 0) refuses to sell what is not there
    order.total_cents = sum(line.quantity * line.unit_price_cents for line in order.lines)
    session.add(order)
    return order


def add_sample_shop(session: Session) -> None:
    """Add the sample customers, products and orders (the caller commits)."""
    products = {sku: Product(sku=sku, name=name, price_cents=price, stock=stock)
                for sku, name, price, stock in SAMPLE_PRODUCTS}  # fmt: skip
    session.add_all(products.values())
    for email, orders in SAMPLE_ORDERS.items():
        customer = register_customer(session, email=email, name=email.split("@")[0].title())
        for order in orders:
            quantities = {products[sku]: quantity for sku, quantity in order.items()}
            place_order(session, customer=customer, quantities=quantities)


def create_sample_shop(engine: Engine) -> None:
    """Create the schema and commit the sample shop: the starting point of the other demos."""
    create_schema(engine)
    with Session(engine) as session:
        add_sample_shop(session)
        session.commit()


def customer_by_email(session: Session, email: str) -> Customer | None:
    """Return the customer with this email, or None."""
    return session.scalars(select(Customer).where(Customer.email == email)).one_or_none()


def rename_customer(session: Session, *, email: str, new_name: str) -> None:
    """Change a customer's name: the Session notices the change and UPDATEs at flush."""
    customer = session.scalars(select(Customer).where(Customer.email == email)).one()
    customer.name = new_name


def delete_order(session: Session, order_id: int) -> None:
    """Delete an order; its lines go with it (cascade="all, delete-orphan")."""
    session.delete(session.get_one(Order, order_id))


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_orm") as url:
        engine = make_engine(url)
        create_schema(engine)
        print("1. Add a whole shop to one Session, then commit: the unit of work.")
        with Session(engine) as session, recorded_statements(engine) as statements:
            add_sample_shop(session)
            print(f"   before commit: {len(statements)} statements sent (nothing yet)")
            session.commit()
        inserts = [s.split("(")[0].strip() for s in statements if s.startswith("INSERT")]
        print(f"   at commit: {len(statements)} statements, inserts in foreign-key order:")
        for insert in dict.fromkeys(inserts):
            print(f"     {insert}")

        print("2. Change an attribute: the Session emits one UPDATE of that column.")
        with Session(engine) as session, recorded_statements(engine) as statements:
            rename_customer(session, email="ada@example.com", new_name="Ada Lovelace")
            session.commit()
        print(f"   {next(s for s in statements if s.startswith('UPDATE'))}")

        print("3. A second customer with the same email: the UNIQUE constraint says no.")
        with Session(engine) as session:
            register_customer(session, email="ada@example.com", name="Impostor")
            try:
                session.commit()
            except IntegrityError as error:
                session.rollback()
                print(f"   IntegrityError: {error.orig.diag.message_primary}")

        print("4. Delete an order: its lines are deleted with it.")
        with Session(engine) as session:
            order_id = session.scalars(select(Order.id).order_by(Order.id)).first()
            delete_order(session, order_id)
            session.commit()
            remaining = session.scalars(select(OrderLine.order_id).distinct()).all()
            print(f"   order {order_id} deleted; orders with lines left: {sorted(remaining)}")
        engine.dispose()
    print("Conclusion: the Session collects changes and writes them in one transaction,")
    print("in the order the constraints need; the database enforces the rules.")


if __name__ == "__main__":
    course.script_arguments()
    main()
