"""Checks for ex02: `course check 07 ex02` runs orders in your schemas and looks at the catalog."""

import pytest
from orders_domain import Line, Order
from orders_repository import SqlOrderRepository
from orders_tables import OrderRow
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from course.exercises import load_exercise

task = load_exercise(__file__)
TEA = (Line("tea", 1, 450),)


def schemas_with_orders(engine) -> set[str]:
    """Return the schemas of this database that hold an `orders` table."""
    query = text("SELECT table_schema FROM information_schema.tables WHERE table_name = 'orders'")
    with engine.connect() as connection:
        return set(connection.scalars(query))


def place(engine, reference: str, customer: str) -> None:
    with Session(engine) as session:
        repository = SqlOrderRepository(session)
        repository.add(Order(reference, customer, TEA))
        repository.commit()


def test_the_tables_live_in_a_new_schema_of_the_same_database(engine):
    with task.isolated_schema(engine) as isolated:
        assert isolated.url.database == engine.url.database, "use the same database, not a new one"
        found = schemas_with_orders(engine)
        assert found and "public" not in found, f"the orders table must not be in public: {found}"


def test_two_schemas_at_once_do_not_see_each_other(engine):
    with task.isolated_schema(engine) as first, task.isolated_schema(engine) as second:
        place(first, "ORD-1", "ada")
        place(second, "ORD-1", "bob")  # the same reference: no DuplicateOrder across schemas
        with Session(first) as session:
            assert session.scalars(select(OrderRow.customer)).all() == ["ada"]
        with Session(second) as session:
            assert session.scalars(select(OrderRow.customer)).all() == ["bob"]


def test_a_commit_is_real_inside_and_the_schema_is_gone_after(engine):
    with task.isolated_schema(engine) as isolated:
        place(isolated, "ORD-1", "ada")
        with Session(isolated) as other_session:  # a second session sees the commit
            assert other_session.scalar(select(func.count()).select_from(OrderRow)) == 1
    assert schemas_with_orders(engine) == set(), "the schema must be dropped at the end"


def test_the_schema_is_dropped_even_when_the_test_fails(engine):
    with pytest.raises(LookupError), task.isolated_schema(engine) as isolated:
        place(isolated, "ORD-1", "ada")
        raise LookupError("a failing test")
    assert schemas_with_orders(engine) == set(), "a failing block must not leave its schema"
