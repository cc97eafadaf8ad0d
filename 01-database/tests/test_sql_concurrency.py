"""Two concurrent buyers: the naive way loses an update; each fix keeps both sales.

The threads' interleaving is forced (a Barrier makes both read before either writes; an Event
and a wait for a blocked session make the second buyer queue behind the first's lock), so
each outcome is the same on every run.
"""

import pytest
import sql_threads
from sql_concurrency import (
    buy_optimistically,
    buy_with_atomic_update,
    buy_with_row_lock,
    outcome_in_words,
    two_buyers,
)
from sql_models import create_schema
from sql_threads import add_product, current_stock, wait_for_a_blocked_session


@pytest.fixture
def product_id(engine):
    create_schema(engine)
    return add_product(engine, stock=10)


def test_read_modify_write_in_python_loses_one_of_two_concurrent_sales(engine, product_id):
    two_buyers(engine, product_id, "naive")

    assert current_stock(engine, product_id) == 9  # two sold, one recorded


@pytest.mark.parametrize("strategy", ["row_lock", "atomic_update", "optimistic"])
def test_lost_update_is_prevented(engine, product_id, strategy):
    two_buyers(engine, product_id, strategy)

    assert current_stock(engine, product_id) == 8


def test_optimistic_locking_makes_the_second_writer_retry_once(engine, product_id):
    attempts = two_buyers(engine, product_id, "optimistic")

    assert sorted(attempts) == [1, 2]


def test_optimistic_retries_are_bounded(engine, product_id):
    # with one attempt allowed, the conflict on it is the end: no second try, no sale
    with pytest.raises(RuntimeError, match="gave up after 1 attempts"):
        buy_optimistically(
            engine,
            product_id,
            attempts=1,
            after_read=lambda: buy_with_atomic_update(engine, product_id),
        )

    assert current_stock(engine, product_id) == 9  # only the other buyer's sale


@pytest.mark.parametrize("buy", [buy_with_row_lock, buy_with_atomic_update])
def test_a_fix_refuses_to_sell_below_zero(engine, buy):
    create_schema(engine)
    last_one = add_product(engine, stock=1)

    sold = [buy(engine, last_one) for _ in range(2)]

    assert sold == [True, False]
    assert current_stock(engine, last_one) == 0


def test_two_concurrent_atomic_updates_sell_the_last_unit_once(engine):
    create_schema(engine)
    last_one = add_product(engine, stock=1)

    sold = two_buyers(engine, last_one, "atomic_update")

    assert sold == [True, False]  # the second re-checks stock >= 1 after the first commits
    assert current_stock(engine, last_one) == 0


@pytest.mark.parametrize("fix", [buy_with_row_lock, buy_with_atomic_update])
def test_each_locking_fix_bumps_the_version_so_an_optimistic_buyer_does_not_overwrite_it(
    engine, product_id, fix
):
    # an UPDATE that changed the stock but not the version would pass the optimistic
    # buyer's WHERE version = :read, and its write would undo this sale
    attempts = buy_optimistically(engine, product_id, after_read=lambda: fix(engine, product_id))

    assert attempts == 2  # the first attempt saw the atomic update's version change
    assert current_stock(engine, product_id) == 8


@pytest.mark.parametrize("attempts", [[1, 2], [2, 1]])
def test_the_optimistic_outcome_reads_the_same_whichever_thread_retried(attempts):
    assert (
        outcome_in_words("optimistic", attempts)
        == "one buyer succeeded first time, the other retried once"
    )


@pytest.mark.parametrize("strategy", ["row_lock", "atomic_update"])
def test_the_locking_fixes_outcome_counts_the_buyers_that_sold(strategy):
    # both return True or False (sold or sold out): "no value" would be false of them
    assert outcome_in_words(strategy, [True, False]) == "1 of 2 buyers found a unit in stock"


def test_the_wait_for_a_blocked_session_waits_until_one_is_blocked(engine, monkeypatch):
    monkeypatch.setattr(sql_threads, "WAIT_SECONDS", 0.2)  # nobody is blocked: it times out

    with pytest.raises(TimeoutError, match="no session started waiting for the lock"):
        wait_for_a_blocked_session(engine)
