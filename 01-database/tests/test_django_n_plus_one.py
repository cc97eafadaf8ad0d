"""Django's N+1 is part 1's, counted with CaptureQueriesContext; prefetch_related fixes it in 2."""

import pytest
from django_n_plus_one import LOADERS, count_queries, summaries_sqlalchemy
from django_project import empty_shop
from sql_models import make_engine
from sql_n_plus_one import add_orders_with_lines

ORDERS = 20


@pytest.fixture(scope="module")
def orders(django_database):
    """Twenty orders of three lines each, loaded by sql_n_plus_one.py's own function."""
    empty_shop()
    engine = make_engine(django_database)
    add_orders_with_lines(engine, orders=ORDERS, lines_per_order=3)
    engine.dispose()
    return django_database


@pytest.mark.parametrize(
    ("loader", "queries"),
    [
        ("orders, lazy (N+1)", 1 + ORDERS),
        ("orders, prefetch_related", 2),
        ("lines, lazy (N+1)", 1 + 3 * ORDERS),
        ("lines, select_related", 1),
    ],
)
def test_listing_sends_this_many_queries(orders, loader, queries):
    assert len(count_queries(LOADERS[loader])["queries"]) == queries


def test_prefetch_related_brings_the_n_plus_one_to_at_most_two_queries(orders):
    result = count_queries(LOADERS["orders, prefetch_related"])

    assert len(result["queries"]) <= 2
    assert '"order_lines"."order_id" IN (' in result["queries"][1]


def test_every_way_returns_sqlalchemys_selectinload_summaries(orders):
    expected = summaries_sqlalchemy(orders)

    for name in ("orders, lazy (N+1)", "orders, prefetch_related"):
        assert count_queries(LOADERS[name])["result"] == expected, name
    assert expected[0][1] == 3 * 2  # three lines of two units each


def test_select_related_returns_the_lazy_skus(orders):
    lazy = count_queries(LOADERS["lines, lazy (N+1)"])["result"]

    assert count_queries(LOADERS["lines, select_related"])["result"] == lazy
    assert len(lazy) == 3 * ORDERS
