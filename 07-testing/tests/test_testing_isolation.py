"""Part 2: a rolled-back transaction isolates even code that commits; the other two strategies."""

import pytest
from orders_domain import Line, Order
from orders_repository import SqlOrderRepository
from orders_service import place_order
from orders_tables import Base, OrderRow
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.orm import Session
from testing_isolation import (
    fresh_database,
    recreated_tables,
    require_services,
    rolled_back_session,
)
from testing_isolation_bench import benchmark, figures

from course.settings import Settings

TEA = [Line("tea", 1, 450)]


def count_orders(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(OrderRow))


def test_a_commit_inside_the_rolled_back_session_is_undone_at_the_end(orders_engine):
    with rolled_back_session(orders_engine) as session:
        place_order(SqlOrderRepository(session), reference="ORD-1", customer="ada", lines=TEA)
        assert session.scalar(select(func.count()).select_from(OrderRow)) == 1  # visible inside
    assert count_orders(orders_engine) == 0  # and gone for everyone after


def test_without_the_outer_transaction_the_commit_stays(orders_engine):
    with Session(orders_engine) as session:
        place_order(SqlOrderRepository(session), reference="ORD-KEPT", customer="ada", lines=TEA)
    try:
        assert count_orders(orders_engine) == 1  # why tests need one of the three strategies
    finally:
        with Session(orders_engine) as session, session.begin():
            session.execute(OrderRow.__table__.delete())


def test_the_session_fixture_starts_every_test_empty(session):
    assert session.scalar(select(func.count()).select_from(OrderRow)) == 0
    place_order(SqlOrderRepository(session), reference="ORD-1", customer="ada", lines=TEA)


def test_a_fresh_database_has_the_tables_and_is_dropped_after(settings):
    with fresh_database(settings.database_url, prefix="orders_test") as engine:
        assert set(inspect(engine).get_table_names()) == {"orders", "order_lines"}
        name = engine.url.database
    admin = create_engine(settings.database_url)
    try:
        with admin.connect() as connection:
            query = text("SELECT count(*) FROM pg_database WHERE datname = :name")
            assert connection.scalar(query, {"name": name}) == 0
    finally:
        admin.dispose()


def test_recreated_tables_leave_no_table_behind(engine):
    with recreated_tables(engine) as session:
        place_order(SqlOrderRepository(session), reference="ORD-1", customer="ada", lines=TEA)
    assert inspect(engine).get_table_names() == []
    assert Base.metadata.tables.keys() == {"orders", "order_lines"}


def test_the_benchmark_returns_one_ratio_per_strategy_against_the_rollback(settings):
    found = benchmark(settings, rounds=1)
    labels = [figure["measured_label"] for figure in found]
    assert labels == ["fresh database", "create_all/drop_all"]
    assert all(figure["ratio"] > 0 and figure["unit"] == "ms per test" for figure in found)


def test_figures_divide_by_the_rolled_back_transaction():
    seconds = {"rolled-back transaction": 0.002, "fresh database": 0.1}
    assert figures(seconds)[0]["ratio"] == 50.0


def test_with_create_savepoint_a_rollback_in_the_code_keeps_its_earlier_commits(session):
    repository = SqlOrderRepository(session)
    place_order(repository, reference="ORD-1", customer="ada", lines=TEA)  # commits
    repository.add(Order("ORD-2", "ada", tuple(TEA)))
    session.rollback()  # what code under test does after an error
    assert [order.reference for order in repository.list_for_customer("ada")] == ["ORD-1"]


def test_without_create_savepoint_that_rollback_ends_the_tests_own_transaction(orders_engine):
    with orders_engine.connect() as connection:
        outer = connection.begin()
        session = Session(bind=connection)  # the default join mode, "conditional_savepoint"
        repository = SqlOrderRepository(session)
        place_order(repository, reference="ORD-1", customer="ada", lines=TEA)
        repository.add(Order("ORD-2", "ada", tuple(TEA)))
        session.rollback()
        assert repository.list_for_customer("ada") == []  # ORD-1 went with it
        assert not outer.is_active, "the session rolled back the test's outer transaction"
        session.close()


def test_a_script_stops_with_one_line_when_postgresql_does_not_answer():
    nobody = Settings(database_url="postgresql+psycopg://course:course@127.0.0.1:9/course")
    with pytest.raises(SystemExit, match=r"^PostgreSQL is not reachable at .*127\.0\.0\.1:9"):
        require_services(nobody, "postgres")
