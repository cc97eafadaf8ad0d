"""Checks for ex02: `course check 07 ex02` runs the code under test inside your session."""

import pytest
from orders_domain import Line, Order
from orders_repository import SqlOrderRepository
from orders_tables import Base, OrderRow
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from course.exercises import load_exercise

task = load_exercise(__file__)
TEA = (Line("tea", 1, 450),)


@pytest.fixture
def orders_engine(engine):
    Base.metadata.create_all(engine)
    return engine


def count_orders(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(OrderRow))


def test_a_commit_inside_is_gone_after_the_block(orders_engine):
    with task.rolled_back_session(orders_engine) as session:
        repository = SqlOrderRepository(session)
        repository.add(Order("ORD-1", "ada", TEA))
        repository.commit()
        assert repository.get("ORD-1") is not None, "the order must be visible inside the test"
    assert count_orders(orders_engine) == 0, "the committed order must be rolled back at the end"


def test_a_rollback_inside_keeps_what_was_committed_before(orders_engine):
    with task.rolled_back_session(orders_engine) as session:
        repository = SqlOrderRepository(session)
        repository.add(Order("ORD-1", "ada", TEA))
        repository.commit()
        repository.add(Order("ORD-2", "ada", TEA))
        session.rollback()  # the code under test recovering from an error
        found = [order.reference for order in repository.list_for_customer("ada")]
        assert found == ["ORD-1"], (
            f"after a rollback only ORD-2 should be gone, found {found}: "
            "which join_transaction_mode keeps each commit in a savepoint?"
        )
    assert count_orders(orders_engine) == 0


def test_the_rollback_happens_even_when_the_test_fails(orders_engine):
    with pytest.raises(RuntimeError), task.rolled_back_session(orders_engine) as session:
        SqlOrderRepository(session).add(Order("ORD-1", "ada", TEA))
        session.commit()
        raise RuntimeError("a failing test")
    assert count_orders(orders_engine) == 0
