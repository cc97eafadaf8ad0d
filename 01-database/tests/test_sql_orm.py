"""The Session is a unit of work: it collects changes and writes them at commit."""

from sql_models import Customer, Order, OrderLine, Product, create_schema
from sql_orm import (
    add_sample_shop,
    customer_by_email,
    delete_order,
    register_customer,
    rename_customer,
)
from sql_statements import recorded_statements
from sqlalchemy import func, select
from sqlalchemy.orm import Session


def test_added_objects_are_sent_only_at_commit_parents_before_children(engine):
    create_schema(engine)
    with Session(engine) as session, recorded_statements(engine) as statements:
        add_sample_shop(session)
        sent_before_commit = len(statements)
        session.commit()

    tables = [statement.split()[2] for statement in statements if statement.startswith("INSERT")]
    assert sent_before_commit == 0
    assert list(dict.fromkeys(tables)) == ["customers", "products", "orders", "order_lines"]


def test_a_flush_of_many_new_rows_is_recorded_once_per_batch_of_1000(engine):
    # what sql_statements.py says it counts: the ORM's INSERT ... RETURNING of 2,500 new rows
    # is sent by insertmanyvalues as batches of 1000 rows, each one cursor execution
    create_schema(engine)
    with Session(engine) as session, recorded_statements(engine) as statements:
        session.add_all(Customer(email=f"c{i}@example.com", name="C") for i in range(2_500))
        session.flush()

    assert [s.split("(")[0].strip() for s in statements] == ["INSERT INTO customers"] * 3


def test_a_placed_order_takes_stock_and_knows_its_total(shop):
    with Session(shop) as session:
        ada = customer_by_email(session, "ada@example.com")
        totals = sorted(order.total_cents for order in ada.orders)
        keyboard = session.scalars(select(Product).where(Product.sku == "KB-01")).one()

    assert totals == [3 * 900, 8900 + 2900]
    assert keyboard.stock == 12 - 1


def test_changing_an_attribute_sends_one_update_of_that_column(shop):
    with Session(shop) as session, recorded_statements(shop) as statements:
        rename_customer(session, email="ada@example.com", new_name="Ada Lovelace")
        session.commit()

    updates = [statement for statement in statements if statement.startswith("UPDATE")]
    assert len(updates) == 1
    assert updates[0].startswith("UPDATE customers SET name=")


def test_deleting_an_order_deletes_its_lines(shop):
    with Session(shop) as session:
        order_id = session.scalars(select(Order.id).order_by(Order.id)).first()
        delete_order(session, order_id)
        session.commit()
        orphans = session.scalar(select(func.count()).where(OrderLine.order_id == order_id))

    assert orphans == 0


def test_an_unknown_email_finds_no_customer(shop):
    with Session(shop) as session:
        assert customer_by_email(session, "nobody@example.com") is None


def test_a_registered_customer_gets_an_id_when_flushed(engine):
    create_schema(engine)
    with Session(engine) as session:
        customer = register_customer(session, email="new@example.com", name="New")
        assert customer.id is None
        session.flush()
        assert isinstance(customer.id, int)
        assert session.get(Customer, customer.id) is customer  # the identity map
