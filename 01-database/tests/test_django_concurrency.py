"""Two concurrent Django buyers: save() loses an update; F() and select_for_update keep both sales.

The interleaving is forced as in test_sql_concurrency.py (a Barrier, an Event and a wait until
PostgreSQL shows a session blocked on the lock), so each outcome is the same on every run.
"""

import pytest
from django_concurrency import add_keyboard, buy_with_f, buy_with_row_lock, stock_of, two_buyers
from django_project import empty_shop
from sql_models import Product, make_engine
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError


@pytest.fixture
def engine(django_database):
    """An empty shop, and a SQLAlchemy engine that watches its locks."""
    empty_shop()
    engine = make_engine(django_database)
    yield engine
    engine.dispose()


def test_save_after_a_read_loses_one_of_two_concurrent_sales(engine):
    add_keyboard("KB-01", stock=10)

    two_buyers(engine, "KB-01", "naive")

    assert stock_of("KB-01") == 9  # two sold, one recorded


@pytest.mark.parametrize("strategy", ["F()", "select_for_update"])
def test_the_lost_update_is_prevented(engine, strategy):
    add_keyboard("KB-01", stock=10)

    two_buyers(engine, "KB-01", strategy)

    assert stock_of("KB-01") == 8


def test_two_concurrent_f_updates_sell_the_last_unit_once(engine):
    add_keyboard("KB-01", stock=1)

    sold = two_buyers(engine, "KB-01", "F()")

    assert sold == [True, False]  # the second re-checks stock >= 1 after the first commits
    assert stock_of("KB-01") == 0
    assert buy_with_f("KB-01") is False


@pytest.mark.parametrize("buy", [buy_with_f, buy_with_row_lock])
def test_a_django_sale_between_a_sqlalchemy_read_and_write_is_not_overwritten(engine, buy):
    # one table, two ORMs: SQLAlchemy's version_id_col works only if Django bumps it too
    add_keyboard("KB-01", stock=10)
    with Session(engine) as session:
        product = session.scalars(select(Product).where(Product.sku == "KB-01")).one()
        buy("KB-01")  # committed by Django while SQLAlchemy holds the old version
        product.stock -= 1

        with pytest.raises(StaleDataError):
            session.commit()

    assert stock_of("KB-01") == 9  # Django's sale stands; SQLAlchemy must read again
