"""Each bulk-loading way stores exactly the rows it was given."""

from contextlib import contextmanager

import psycopg
import pytest
import sql_bulk_load
from db_timing import alternating_ms
from sql_bulk_load import (
    LOADERS,
    ORM_WAY,
    ROW_WAY,
    customer_count,
    generate_customers,
    insert_returning_ids,
    load_with_executemany,
    measure_loaders,
    per_row_split,
    spread,
)
from sql_models import create_schema
from sqlalchemy import event, text


@contextmanager
def recorded_executions(engine):
    """Record (rows in the statement's VALUES, parameter sets, the SQL) for each INSERT."""
    executions = []

    def record(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT"):
            parameter_sets = len(parameters) if isinstance(parameters, list | tuple) else 1
            executions.append((statement.count("%(email"), parameter_sets, statement))

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


def test_measuring_times_each_way_several_times_on_the_same_rows(engine, monkeypatch):
    # the loads really run (each stores its rows); only the clock is replaced, by durations
    # in ms whose rates are known: 100 rows in 200 ms is 500 rows/s
    durations = {ORM_WAY: [1_000, 2_000, 500], ROW_WAY: [400, 200, 100]}
    rounds_asked = []

    def known_durations(runs, *, rounds, **hooks):
        rounds_asked.append(rounds)
        alternating_ms(runs, rounds=rounds, **hooks)
        return {name: durations.get(name, [400, 200, 100])[:rounds] for name in runs}

    monkeypatch.setattr(sql_bulk_load, "alternating_ms", known_durations)
    results = measure_loaders(engine, rows=100, repeats=3, warm_up_rows=10)

    assert list(results) == list(LOADERS)
    assert rounds_asked == [1, 3]  # an untimed warm-up round first, then the timed ones
    for result in results.values():
        # every timed load started from an empty table and stored every row
        assert result["stored"] == [100, 100, 100]
        assert result["runs"] == 3
    assert results[ROW_WAY] | {"stored": None} == {
        "rows_per_second": 500.0,  # the median run, 200 ms
        "slowest": 250.0,  # 400 ms
        "fastest": 1_000.0,  # 100 ms
        "runs": 3,
        "stored": None,
    }
    assert spread(results[ORM_WAY]) == "median of 3, 50-200 rows/s"
    # 10 ms a row the ORM way, 2 ms one INSERT per row: 80% is SQLAlchemy's, not the ORM's alone
    split = per_row_split(results)
    assert split[0] == "Per row: the ORM way 10.000 ms, one INSERT 2.000 ms, executemany 2.000 ms:"
    assert split[1].startswith("80% of the ORM way's time is SQLAlchemy's work per row")


def test_alternating_rounds_rotate_the_order_and_keep_setup_out_of_each_run():
    order, timed = [], []
    runs = {name: (lambda name=name: timed.append(name)) for name in "abc"}

    durations = alternating_ms(
        runs, rounds=3, before_each=lambda: order.append("setup"), after_each=order.append
    )

    assert timed == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert order == [step for name in timed for step in ("setup", name)]
    assert {name: len(ms) for name, ms in durations.items()} == {"a": 3, "b": 3, "c": 3}


def test_the_orm_way_flushes_one_insert_per_row(engine):
    create_schema(engine)
    with recorded_executions(engine) as executions:
        LOADERS[ORM_WAY](engine, generate_customers(50))

    # a flush per object: without it, the unit of work batches the 50 rows into one INSERT
    assert [(rows, parameter_sets) for rows, parameter_sets, _sql in executions] == [(1, 1)] * 50


def test_one_insert_per_row_executes_each_row_on_its_own(engine, monkeypatch):
    # psycopg directly, so counted at the driver: executemany() would pipeline the rows
    create_schema(engine)
    inserts = []
    execute = psycopg.Cursor.execute

    def counted(cursor, query, *args, **kwargs):
        if str(query).startswith("INSERT"):
            inserts.append(query)
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    LOADERS[ROW_WAY](engine, generate_customers(50))

    assert len(inserts) == 50


def test_executemany_sends_one_single_row_insert_with_every_parameter_set(engine):
    create_schema(engine)
    with recorded_executions(engine) as executions:
        load_with_executemany(engine, generate_customers(2_500))

    # not multi-row INSERTs: psycopg runs the one statement per parameter set, pipelined
    assert [(rows, parameter_sets) for rows, parameter_sets, _sql in executions] == [(1, 2_500)]


def test_insert_returning_is_rewritten_into_multi_row_inserts_of_1000_in_the_rows_order(engine):
    create_schema(engine)
    customers = generate_customers(2_500)
    with recorded_executions(engine) as executions:
        ids = insert_returning_ids(engine, customers)

    assert [rows_per_statement for rows_per_statement, _, _sql in executions] == [1_000, 1_000, 500]
    # a plain multi-row INSERT ... VALUES ... RETURNING returns ascending ids here too, but
    # PostgreSQL promises no order: only this form (sort_by_parameter_order=True) makes the
    # ids follow the rows, and SQLAlchemy then sorts what comes back by them
    assert all("ORDER BY sen_counter RETURNING" in sql for _rows, _sets, sql in executions)
    with engine.connect() as connection:
        emails = dict(connection.execute(text("SELECT id, email FROM customers")).all())
    assert [emails[new_id] for new_id in ids] == [email for email, _name in customers]
