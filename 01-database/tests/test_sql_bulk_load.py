"""Each bulk-loading way stores exactly the rows it was given."""

import pytest
from sql_bulk_load import LOADERS, customer_count, generate_customers, measure_loaders
from sql_models import create_schema
from sqlalchemy import text


@pytest.mark.parametrize("loader", list(LOADERS))
def test_each_loader_stores_every_row(engine, loader):
    create_schema(engine)

    LOADERS[loader](engine, generate_customers(250))

    assert customer_count(engine) == 250


@pytest.mark.parametrize("loader", list(LOADERS))
def test_values_with_quotes_tabs_and_newlines_arrive_intact(engine, loader):
    create_schema(engine)
    awkward = [("o'brien@example.com", "O'Brien\tthe\nsecond \\ of that name")]

    LOADERS[loader](engine, awkward)

    with engine.connect() as connection:
        stored = connection.execute(text("SELECT email, name FROM customers")).all()
    assert [tuple(row) for row in stored] == awkward


def test_measuring_loads_the_same_rows_with_each_way(engine):
    results = measure_loaders(engine, rows=100)

    assert {name: result["rows"] for name, result in results.items()} == dict.fromkeys(LOADERS, 100)
