"""Schemathesis from the OpenAPI schema, over a real PostgreSQL: the planted bug is found.

`NaiveNewOrder` has no length or range limits, so Schemathesis generates an order the table
refuses (a value beyond PostgreSQL's integer, or a reference beyond 40 characters): the app
fails instead of answering 422. The fake repository accepts the same order, which is why the
contract test runs over PostgreSQL. `NewOrder` carries the limits and passes.
"""

from orders_api import NaiveNewOrder, create_app
from testing_api_contract import fake_repositories, find_server_error, rolled_back_repositories


def test_schemathesis_finds_what_postgresql_refuses_in_the_naive_model(orders_engine):
    app = create_app(rolled_back_repositories(orders_engine), order_model=NaiveNewOrder)
    # shrink=False: the first failure is enough to prove it; the demo shrinks it
    found = find_server_error(app, max_examples=25, shrink=False)
    assert found is not None and "DataError" in found, found


def test_the_model_with_the_tables_limits_passes(orders_engine):
    app = create_app(rolled_back_repositories(orders_engine))
    assert find_server_error(app, max_examples=25) is None


def test_over_the_fake_the_naive_model_hides_the_bug():
    app = create_app(fake_repositories(), order_model=NaiveNewOrder)
    assert find_server_error(app, max_examples=25) is None
