"""Every layer sends the same query and gets the same rows; rates are printed, never asserted."""

from contextlib import contextmanager

import psycopg
import pytest
import sql_layers
from django_project import empty_shop
from sql_layers import (
    PGBENCH,
    added_us,
    bench_figures,
    comparison_lines,
    measure,
    pgbench_scripts,
)
from sql_layers_clients import add_products, layers
from sql_layers_pgbench import pgbench_rate

from course.services.probes import sqlalchemy_url_to_libpq

ROWS, SIZE = 2_000, 50


@pytest.fixture(scope="module")
def products(django_database):
    """2,000 products in the worker's Django database (its tables exist; create_all skips them)."""
    empty_shop()
    add_products(django_database, rows=ROWS)
    return django_database


def as_values(found) -> tuple:
    """A row, a SQLAlchemy object or a Django model, as its six column values."""
    if isinstance(found, tuple):
        return found
    names = ("id", "sku", "name", "price_cents", "stock", "version")
    return tuple(found[n] if hasattr(found, "keys") else getattr(found, n) for n in names)


def test_every_layer_finds_the_same_product_and_the_same_rows(products):
    with layers(products, size=SIZE) as clients:
        lookups = {name: as_values(layer.lookup(42)) for name, layer in clients.items()}
        reads = {name: [as_values(r) for r in layer.read(101)] for name, layer in clients.items()}

    assert set(lookups.values()) == {(42, "SKU-42", "Product 42", 142, 10, 1)}
    assert all(len(rows) == SIZE and rows == reads["psycopg"] for rows in reads.values())
    assert [row[0] for row in reads["psycopg"]] == list(range(101, 101 + SIZE))
    assert len(clients) == 6  # psycopg twice, Core, the SQLAlchemy ORM, Django twice


def test_every_layer_runs_in_autocommit_and_the_orm_in_a_new_session_each_time(products):
    sessions = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND state = 'idle in transaction'"
    )
    with layers(products, size=SIZE) as clients:
        for layer in clients.values():
            layer.lookup(42)
            layer.read(101)
        with psycopg.connect(sqlalchemy_url_to_libpq(products)) as connection:
            in_a_transaction = connection.execute(sessions).fetchone()[0]
        orm = clients["SQLAlchemy ORM"]
        first, second = orm.lookup(42), orm.lookup(42)

    assert in_a_transaction == 0  # no BEGIN before each query: pgbench sends none either
    assert first is not second  # an empty identity map: each lookup builds its object


def test_only_the_prepared_layer_prepares_and_django_binds_on_the_client(products):
    from django_orm import sql_sent

    with layers(products, size=SIZE) as clients:
        for layer in clients.values():
            for id_ in range(1, 8):  # past psycopg's default prepare_threshold of 5
                layer.lookup(id_)
            layer.read(101)
        prepared = {name: layer.prepared() for name, layer in clients.items()}
        _, django_sql = sql_sent(lambda: clients["Django ORM"].lookup(42))

    # the page's explanation rests on these: one server-side prepared row, the rest not
    assert prepared == {name: 2 if name == "psycopg, prepared" else 0 for name in clients}
    assert django_sql[0].endswith('WHERE "products"."id" = 42 LIMIT 21')  # the value in the SQL


def test_a_tiny_measurement_gives_a_rate_for_every_layer_and_pgbench(products):
    # pgbench runs the same queries on the same database, its warm-up and its round included
    scripts = pgbench_scripts(rows=ROWS)
    assert all("FROM products WHERE id" in script for script in scripts.values())

    figures = measure(products, rounds=1, seconds=0, warm_up={"lookup": 3, "read": 1}, rows=ROWS)

    assert set(figures["rates"]["lookup"]) == set(figures["rates"]["read"])
    assert set(figures["spread"]["read"]) >= set(figures["rates"]["read"])
    assert all(rate > 0 for kind in figures["rates"].values() for rate in kind.values())
    assert (figures["ceiling"] is None) == (figures["problem"] is not None)
    assert figures["problem"] or all(rate > 0 for rate in figures["ceiling"].values())


def test_pgbench_reads_the_same_rows_as_the_layers(products):
    read = pgbench_scripts(rows=ROWS, size=SIZE)["read"].splitlines()[1].replace(":first", "101")

    with psycopg.connect(sqlalchemy_url_to_libpq(products)) as connection:
        rows = connection.execute(read).fetchall()
    with layers(products, size=SIZE) as clients:
        assert rows == clients["psycopg"].read(101)


def test_pgbench_sends_its_queries_as_prepared_statements(products):
    # a statement run as a prepared one is listed while it runs; sent as simple, the count is 0
    script = "SELECT 1 / count(*) FROM pg_prepared_statements;\n"

    assert pgbench_rate(products, script) > 0  # divided by zero: pgbench fails, RuntimeError


def test_every_side_gets_the_same_warm_up_and_rounds_in_rotating_order(monkeypatch):
    calls = []  # (side, seconds, queries), in the order they ran

    def side(name):
        def run(_arguments, seconds, queries):
            calls.append((name, seconds, queries))
            return [999, 30, 10, 20][(sum(call[0] == name for call in calls) - 1) % 4]

        return run

    @contextmanager
    def fake_layers(_url):
        yield {name: (name, name) for name in ("psycopg", "Core", "ORM")}

    monkeypatch.setattr(sql_layers, "layers", fake_layers)
    monkeypatch.setattr(sql_layers, "pgbench_problem", lambda: None)
    monkeypatch.setattr(sql_layers, "timed", lambda query, *rest: side(query)(*rest))
    monkeypatch.setattr(sql_layers, "pgbench_rate", lambda _url, *rest: side(PGBENCH)(*rest))

    figures = measure("url", rounds=3, seconds=1, warm_up={"lookup": 50, "read": 5}, rows=ROWS)

    lookups = calls[: len(calls) // 2]
    names = ["psycopg", "Core", "ORM", PGBENCH]
    for name in names:  # one warm-up of 50 queries, then three rounds of one second each
        assert [call[1:] for call in lookups if call[0] == name] == [
            (0, 50),
            (1, 50),
            (1, 50),
            (1, 50),
        ]
    firsts = [lookups[4 + 4 * number][0] for number in range(3)]
    assert firsts == names[:3]  # each round starts with the next side
    assert figures["rates"]["lookup"] == {name: 20 for name in names[:3]}  # the median
    assert figures["ceiling"] == {"lookup": 20, "read": 20}
    assert figures["spread"]["read"][PGBENCH] == (10, 30)  # the warm-up's rate left out


def test_the_comparison_reads_as_fractions_of_the_ceiling():
    rates = {"psycopg": 1000.0, "SQLAlchemy ORM": 500.0}
    ceiling = {"lookup": 2000.0, "read": 2000.0}
    spread = {"psycopg": (900, 1100), "SQLAlchemy ORM": (450, 520), PGBENCH: (1900, 2100)}
    figures = {
        "rates": {"lookup": rates, "read": rates},
        "spread": {"lookup": spread, "read": spread},
        "ceiling": ceiling,
        "problem": None,
    }

    lines = comparison_lines(figures)

    assert lines[2].split() == [
        *PGBENCH.split(),
        *("2,000", "(1,900-2,100)", "500", "µs", "-500", "µs", "1.00"),
    ]
    assert lines[4].split() == [
        *("SQLAlchemy", "ORM", "500", "(450-520)", "2,000", "µs", "+1,000", "µs", "0.25")
    ]
    assert added_us(rates, 250.0) == 3000


def test_without_pgbench_the_comparison_says_why():
    rates, spread = {"psycopg": 1000.0}, {"psycopg": (990, 1010)}
    figures = {
        "rates": {"lookup": rates, "read": rates},
        "spread": {"lookup": spread, "read": spread},
        "ceiling": None,
        "problem": "no pgbench",
    }

    assert comparison_lines(figures)[-1] == "   no ceiling to compare with: no pgbench"


def test_the_bench_figures_have_make_bench_s_shape():
    from course.bench import FIGURE_KEYS

    rates = {"psycopg": 1000.0, "Django ORM": 250.0}
    figures = {
        "rates": {"lookup": rates, "read": rates},
        "ceiling": {"lookup": 2000.0, "read": 500.0},
        "problem": None,
    }

    found = bench_figures(figures)

    assert all(set(figure) == set(FIGURE_KEYS) for figure in found)
    assert [(f["measured_label"], f["ratio"]) for f in found] == [
        ("psycopg", 0.5),
        ("Django ORM", 0.12),
        ("psycopg", 2.0),
        ("Django ORM", 0.5),
    ]
