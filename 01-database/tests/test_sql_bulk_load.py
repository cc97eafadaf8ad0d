"""Each bulk-loading way stores exactly the rows it was given."""

from contextlib import contextmanager

import pytest
from db_timing import alternating_ms
from sql_bulk_load import (
    LOADERS,
    customer_count,
    generate_customers,
    insert_returning_ids,
    load_with_executemany,
    measure_loaders,
)
from sql_models import create_schema
from sqlalchemy import event, text


@contextmanager
def recorded_executions(engine):
    """Record (rows in the statement's VALUES, parameter sets sent with it) for each INSERT."""
    executions = []

    def record(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT"):
            parameter_sets = len(parameters) if isinstance(parameters, list | tuple) else 1
            executions.append((statement.count("%(email"), parameter_sets))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield executions
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("loader", list(LOADERS))
def test_each_loader_stores_every_row(engine, loader):
    create_schema(engine)

    LOADERS[loader](engine, generate_customers(100))

    assert customer_count(engine) == 100


@pytest.mark.parametrize("loader", list(LOADERS))
def test_values_with_quotes_tabs_and_newlines_arrive_intact(engine, loader):
    create_schema(engine)
    awkward = [("o'brien@example.com", "O'Brien\tthe\nsecond \\ of that name")]

    LOADERS[loader](engine, awkward)

    with engine.connect() as connection:
        stored = connection.execute(text("SELECT email, name FROM customers")).all()
    assert [tuple(row) for row in stored] == awkward


def test_measuring_times_each_way_several_times_on_the_same_rows(engine):
    results = measure_loaders(engine, rows=100, repeats=3, warm_up_rows=10)

    assert list(results) == list(LOADERS)
    for result in results.values():
        # every timed load started from an empty table and stored every row
        assert result["stored"] == [100, 100, 100]
        assert result["runs"] == 3
        assert result["slowest"] <= result["rows_per_second"] <= result["fastest"]


def test_alternating_rounds_rotate_the_order_and_keep_setup_out_of_each_run():
    order, timed = [], []
    runs = {name: (lambda name=name: timed.append(name)) for name in "abc"}

    durations = alternating_ms(
        runs, rounds=3, before_each=lambda: order.append("setup"), after_each=order.append
    )

    assert timed == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert order == [step for name in timed for step in ("setup", name)]
    assert {name: len(ms) for name, ms in durations.items()} == {"a": 3, "b": 3, "c": 3}


def test_executemany_sends_one_single_row_insert_with_every_parameter_set(engine):
    create_schema(engine)
    with recorded_executions(engine) as executions:
        load_with_executemany(engine, generate_customers(2_500))

    # not multi-row INSERTs: psycopg runs the one statement per parameter set, pipelined
    assert executions == [(1, 2_500)]


def test_insert_returning_is_rewritten_into_multi_row_inserts_of_1000(engine):
    create_schema(engine)
    with recorded_executions(engine) as executions:
        ids = insert_returning_ids(engine, generate_customers(2_500))

    assert [rows_per_statement for rows_per_statement, _ in executions] == [1_000, 1_000, 500]
    assert len(ids) == 2_500 and ids == sorted(ids)  # in the order of the parameter sets
