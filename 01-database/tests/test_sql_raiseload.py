"""raiseload turns a lazy load (an N+1 in a loop) into an error; eager loading satisfies it."""

import pytest
from sql_n_plus_one import add_orders_with_lines
from sql_raiseload import units_per_order
from sql_statements import recorded_statements
from sqlalchemy.exc import InvalidRequestError


@pytest.fixture
def orders(engine):
    add_orders_with_lines(engine, orders=20)
    return engine


def test_touching_an_unloaded_relationship_raises_instead_of_querying(orders):
    with (
        recorded_statements(orders) as statements,
        pytest.raises(InvalidRequestError, match="raise"),
    ):
        units_per_order(orders, load_lines=False)

    assert len(statements) == 1  # the orders query only; no lazy load was sent


def test_with_the_lines_loaded_up_front_the_same_loop_runs_in_two_statements(orders):
    with recorded_statements(orders) as statements:
        summaries = units_per_order(orders, load_lines=True)

    assert len(summaries) == 20 and all(units == 6 for _, units in summaries)
    assert len(statements) == 2
