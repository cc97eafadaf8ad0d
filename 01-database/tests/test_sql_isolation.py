"""Strict isolation levels turn a lost update into a retried error; timeouts end stuck waits."""

import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
import sql_isolation
from psycopg import errors
from sql_concurrency import buy_optimistically
from sql_isolation import (
    ProductBusy,
    QueryTooSlow,
    buy_or_give_up,
    buy_with_retry,
    row_locked,
    run_with_statement_timeout,
    two_isolated_buyers,
)
from sql_models import create_schema
from sql_retry import TooManyConflicts, is_retryable
from sql_threads import (
    WAIT_SECONDS,
    add_product,
    current_stock,
    run_in_threads,
    wait_for_a_blocked_session,
)
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError


@pytest.fixture
def product_id(engine):
    create_schema(engine)
    return add_product(engine, stock=10)


@pytest.mark.parametrize("isolation_level", ["REPEATABLE READ", "SERIALIZABLE"])
def test_a_serialization_failure_is_retried_and_both_sales_count(
    engine, product_id, isolation_level
):
    attempts = two_isolated_buyers(engine, product_id, isolation_level)

    assert attempts == [1, 2]  # the first commits; the second fails with 40001 and retries
    assert current_stock(engine, product_id) == 8


def test_read_committed_lets_the_same_code_lose_an_update(engine, product_id):
    attempts = two_isolated_buyers(engine, product_id, "READ COMMITTED")

    assert attempts == [1, 1]
    assert current_stock(engine, product_id) == 9


def test_lock_timeout_turns_waiting_for_a_held_lock_into_product_busy(engine, product_id):
    # in a thread, so that a buyer with no lock_timeout fails this test in WAIT_SECONDS
    # instead of waiting for ever behind the held lock
    with ThreadPoolExecutor(max_workers=1) as pool:
        with row_locked(engine, product_id):
            buying = pool.submit(buy_or_give_up, engine, product_id, lock_timeout_ms=50)
            finished, _ = wait([buying], timeout=WAIT_SECONDS)
        assert finished, f"the buyer still waited for the lock after {WAIT_SECONDS} s"
        with pytest.raises(ProductBusy) as busy:
            buying.result()

    assert current_stock(engine, product_id) == 10
    # a lock timeout is not a conflict the server rolled back for us: retrying would just wait again
    assert not is_retryable(busy.value.__cause__)


def test_an_error_that_is_not_a_conflict_is_raised_at_once_not_retried(engine, product_id):
    # a lock timeout (55P03) inside the retried transaction is not 40001 or 40P01: retried, it
    # would only wait again, and a retry of every OperationalError would also repeat a
    # connection lost during COMMIT (a sale that may have committed)
    impatient = create_engine(engine.url, connect_args={"options": "-c lock_timeout=50"})
    with row_locked(engine, product_id), pytest.raises(OperationalError) as raised:
        buy_with_retry(impatient, product_id, isolation_level="READ COMMITTED")
    impatient.dispose()

    assert isinstance(raised.value.orig, errors.LockNotAvailable)  # not TooManyConflicts
    assert current_stock(engine, product_id) == 10


def test_a_purchase_cancelled_for_another_reason_is_not_reported_as_busy(engine, product_id):
    # only a lock timeout (55P03) means another buyer holds the product: a statement timeout
    # (or a lost connection) reported as ProductBusy would send the caller to retry a lock
    impatient = create_engine(engine.url, connect_args={"options": "-c statement_timeout=20"})
    with row_locked(engine, product_id), pytest.raises(OperationalError) as raised:
        buy_or_give_up(impatient, product_id, lock_timeout_ms=5_000)
    impatient.dispose()

    assert isinstance(raised.value.orig, errors.QueryCanceled)


def test_a_purchase_that_gives_up_on_locks_says_whether_it_sold(engine):
    create_schema(engine)
    last_one = add_product(engine, stock=1)

    sold = [buy_or_give_up(engine, last_one, lock_timeout_ms=50) for _ in range(2)]

    assert sold == [True, False]  # the second found it sold out: no error, nothing taken
    assert current_stock(engine, last_one) == 0


def test_a_purchase_that_gives_up_on_locks_still_bumps_the_version(engine, product_id):
    # without the bump, the optimistic buyer's write would pass and undo this sale
    attempts = buy_optimistically(
        engine, product_id,
        after_read=lambda: buy_or_give_up(engine, product_id, lock_timeout_ms=50),
    )  # fmt: skip

    assert attempts == 2
    assert current_stock(engine, product_id) == 8


def test_statement_timeout_cancels_a_slow_query(engine):
    with pytest.raises(QueryTooSlow, match="cancelled after 50 ms") as slow:
        run_with_statement_timeout(engine, "SELECT pg_sleep(5)", statement_timeout_ms=50)

    assert not is_retryable(slow.value.__cause__)


def test_a_query_that_fails_for_another_reason_is_not_reported_as_too_slow(engine, product_id):
    impatient = create_engine(engine.url, connect_args={"options": "-c lock_timeout=20"})
    locking = f"SELECT id FROM products WHERE id = {product_id} FOR UPDATE"
    with row_locked(engine, product_id), pytest.raises(OperationalError) as raised:
        run_with_statement_timeout(impatient, locking, statement_timeout_ms=5_000)
    impatient.dispose()

    assert isinstance(raised.value.orig, errors.LockNotAvailable)  # not QueryTooSlow


def test_a_buyer_that_keeps_conflicting_gives_up_after_its_attempts(engine, product_id):
    both_read, first_done = threading.Barrier(2, timeout=10), threading.Event()

    def first() -> None:
        buy_with_retry(engine, product_id, after_read=both_read.wait)
        first_done.set()

    def second_with_one_attempt() -> int:
        return buy_with_retry(
            engine,
            product_id,
            attempts=1,
            after_read=both_read.wait,
            before_write=lambda: first_done.wait(5),
        )

    with pytest.raises(TooManyConflicts, match="gave up after 1 attempts"):
        run_in_threads(first, second_with_one_attempt)

    assert current_stock(engine, product_id) == 9  # the first sale; the second wrote nothing


def test_a_deadlock_is_retried_like_a_serialization_failure(
    engine, database_url, product_id, caplog
):
    # a real 40P01. The holder locks the row; the buyer reads (its read holds a lock on the
    # table); the holder asks for the whole table and waits for the buyer; the buyer's UPDATE
    # then waits for the holder's row lock: a cycle, closed by the buyer. The holder's long
    # deadlock_timeout leaves the check to the buyer, which finds the cycle and is aborted
    row_held, buyer_has_read = threading.Event(), threading.Event()

    def holder() -> None:
        with engine.connect() as connection, connection.begin() as transaction:
            connection.execute(text("SET LOCAL deadlock_timeout = '1min'"))
            connection.execute(text(f"SELECT 1 FROM products WHERE id = {product_id} FOR UPDATE"))
            row_held.set()
            if buyer_has_read.wait(WAIT_SECONDS):
                connection.execute(text("LOCK TABLE products IN ACCESS EXCLUSIVE MODE"))
            transaction.rollback()

    def buyer() -> int:
        row_held.wait(WAIT_SECONDS)

        def until_the_holder_waits_for_the_table() -> None:
            buyer_has_read.set()
            wait_for_a_blocked_session(engine)

        # a short deadlock_timeout: the buyer closes the cycle, so its one check finds it
        quick = create_engine(database_url, connect_args={"options": "-c deadlock_timeout=20"})
        try:
            return buy_with_retry(
                quick, product_id, after_read=until_the_holder_waits_for_the_table
            )
        finally:
            quick.dispose()

    with caplog.at_level(logging.INFO, logger=sql_isolation.__name__):
        attempts = run_in_threads(holder, buyer)[1]

    assert attempts == 2
    assert "DeadlockDetected on attempt 1; retrying" in caplog.text
    assert current_stock(engine, product_id) == 9


def test_the_buyer_that_retries_waits_its_random_backoff_first(engine, product_id, monkeypatch):
    # the pause itself, not only backoff_seconds: a retry loop that stopped sleeping passed
    waits = []
    real_sleep = sql_isolation.time.sleep

    def recording_sleep(seconds: float) -> None:
        # time.sleep is one function for the whole process: record only the buyers' pauses,
        # and let any other thread of this test worker sleep for real
        if sys._getframe(1).f_globals.get("__name__") == sql_isolation.__name__:
            waits.append(seconds)
        else:
            real_sleep(seconds)

    monkeypatch.setattr(sql_isolation.time, "sleep", recording_sleep)

    attempts = two_isolated_buyers(engine, product_id, "SERIALIZABLE")

    assert attempts == [1, 2]
    assert len(waits) == 1 and 0 <= waits[0] <= 0.02  # attempt 1's bound (sql_retry.py)


def test_the_timeouts_end_with_their_transaction_and_never_stay_on_the_pooled_connection(
    engine, database_url, product_id
):
    # SET LOCAL, not SET: after a successful call, a plain SET would stay on the connection
    # and give the next user of the pool a 50 ms lock_timeout / statement_timeout
    # (also: with no lock held the purchase goes through, and a quick query returns its value)
    one_connection = create_engine(database_url, pool_size=1, max_overflow=0)
    buy_or_give_up(one_connection, product_id, lock_timeout_ms=50)
    answer = run_with_statement_timeout(one_connection, "SELECT 42", statement_timeout_ms=50)
    with one_connection.connect() as connection:  # the same connection, from the pool
        settings = [
            connection.scalar(text(f"SHOW {name}"))
            for name in ("lock_timeout", "statement_timeout")
        ]
    one_connection.dispose()

    assert settings == ["0", "0"]
    assert answer == 42
    assert current_stock(engine, product_id) == 9
