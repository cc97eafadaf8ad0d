"""Checks for ex03: `course check 01 ex03` runs them against your task."""

import threading
import time

import pytest
from psycopg import errors
from sql_models import Product, create_schema
from sql_threads import add_product, current_stock, run_in_threads
from sql_write_skew import create_rota
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from course.exercises import load_exercise

task = load_exercise(__file__)
products = Product.__table__

# a real 40001 from the server, raised on demand, so the test needs no race to get one
FORCED_SERIALIZATION_FAILURE = text(
    "DO $$ BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = 'serialization_failure'; END $$"
)


class Work:
    """A unit of work that fails with 40001 on its first `failures` calls, then returns 42.

    It records the isolation level of every attempt: a retry must run at SERIALIZABLE too.
    """

    def __init__(self, failures: int) -> None:
        self.failures, self.calls, self.levels = failures, 0, []

    def __call__(self, connection) -> int:
        self.calls += 1
        self.levels.append(connection.scalar(text("SHOW transaction_isolation")))
        if self.calls <= self.failures:
            connection.execute(FORCED_SERIALIZATION_FAILURE)
        return 42


@pytest.mark.parametrize(("failures", "calls"), [(0, 1), (1, 2), (2, 3)])
def test_the_work_is_retried_until_it_succeeds(engine, failures, calls):
    work = Work(failures)

    result = task.run_serializable(engine, work, attempts=3)

    assert (result, work.calls) == (42, calls), "retry only as often as needed"
    assert work.levels == ["serializable"] * calls, (
        f"every attempt must run at SERIALIZABLE, not {work.levels}: SET TRANSACTION lasts one"
        " transaction, so each retry needs its own"
    )
    assert_the_pool_is_back_at_read_committed(engine)


def assert_the_pool_is_back_at_read_committed(engine) -> None:
    """Check each pooled connection, after a success or a failure alike."""
    assert set(levels_left_in_the_pool(engine)) <= {"read committed"}, (
        "a connection went back to the pool still at SERIALIZABLE: set the level for each"
        " transaction (SET TRANSACTION or execution_options), not for the whole session"
    )


def levels_left_in_the_pool(engine) -> list[str]:
    """Return the isolation level each pooled connection gives its next user."""
    connections = [engine.connect() for _ in range(engine.pool.checkedin())]
    try:
        return [c.scalar(text("SHOW transaction_isolation")) for c in connections]
    finally:
        for connection in connections:
            connection.close()


def test_after_the_last_attempt_the_serialization_failure_propagates(engine):
    work = Work(failures=5)

    with pytest.raises(DBAPIError) as failure:
        task.run_serializable(engine, work, attempts=3)

    assert isinstance(failure.value.orig, errors.SerializationFailure)
    assert work.calls == 3, f"expected 3 attempts in all, not {work.calls}"
    assert_the_pool_is_back_at_read_committed(engine)  # the error path gives it back too


def raising(condition: str):
    """A statement that makes the server raise the error named by `condition`."""
    return text(f"DO $$ BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = '{condition}'; END $$")


# a bug, then two OperationalErrors like 40001: a helper that retries every OperationalError
# would run a query that hit statement_timeout (57014) three times over; and a duplicate key
# (23505), which the task says to let propagate: retried, a real duplicate repeats in vain
OTHER_ERRORS = [
    (text("SELECT 1 / 0"), errors.DivisionByZero),
    (raising("unique_violation"), errors.UniqueViolation),
    (raising("query_canceled"), errors.QueryCanceled),
    (raising("lock_not_available"), errors.LockNotAvailable),
]


def test_any_other_error_propagates_without_a_retry(engine):
    # one test, one database, for the four errors: each case costs only its own transaction
    for statement, error in OTHER_ERRORS:
        calls = []

        def fail(connection, statement=statement, calls=calls):
            calls.append(1)
            return connection.scalar(statement)

        with pytest.raises(DBAPIError) as failure:
            task.run_serializable(engine, fail)

        assert isinstance(failure.value.orig, error)
        assert len(calls) == 1, f"{error.__name__} is not a serialization failure: no retry"
        assert_the_pool_is_back_at_read_committed(engine)


def test_the_work_runs_at_serializable_and_its_writes_are_committed(engine):
    create_schema(engine)
    product_id = add_product(engine, stock=10)

    def sell_one(connection):
        connection.execute(
            update(products).where(products.c.id == product_id).values(stock=products.c.stock - 1)
        )
        return connection.scalar(text("SHOW transaction_isolation"))

    assert task.run_serializable(engine, sell_one) == "serializable"
    assert current_stock(engine, product_id) == 9, "the work's writes must be committed"


def test_a_write_skew_refused_at_commit_is_retried_and_the_retry_sees_the_rule(engine):
    # write skew, the anomaly SERIALIZABLE is for: each agent reads the rota and updates only
    # its own row, so no statement conflicts; PostgreSQL refuses the second one at COMMIT
    create_rota(engine)
    both_wrote, first_committed = threading.Barrier(2, timeout=10), threading.Event()

    def go_off_duty(agent: str, is_first: bool):
        calls = []

        def check_then_leave(connection) -> str:
            calls.append(1)
            others = connection.scalar(
                text("SELECT count(*) FROM support_rota WHERE on_duty AND agent <> :agent"),
                {"agent": agent},
            )
            if others == 0:
                return "refused"
            connection.execute(
                text("UPDATE support_rota SET on_duty = false WHERE agent = :agent"),
                {"agent": agent},
            )
            if len(calls) == 1:  # both read and wrote before either commits
                both_wrote.wait()
                if not is_first:
                    first_committed.wait(10)  # the second commits after the first
            return "off duty"

        def run():
            outcome = task.run_serializable(engine, check_then_leave)
            if is_first:
                first_committed.set()
            return outcome, len(calls)

        return run

    outcomes = run_in_threads(go_off_duty("ada", True), go_off_duty("grace", False))

    assert outcomes == [("off duty", 1), ("refused", 2)], (
        "the 40001 came from COMMIT: the commit must be inside the retried block"
    )


class Pauses:
    """Records every time.sleep: the pause before each retry."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
def pauses(monkeypatch):
    recorded = Pauses()
    monkeypatch.setattr(time, "sleep", recorded)
    if callable(getattr(task, "sleep", None)):  # `from time import sleep` binds its own name
        monkeypatch.setattr(task, "sleep", recorded)
    return recorded


def test_each_retry_waits_a_random_pause_and_a_bug_waits_for_nothing(engine, pauses):
    # three runs of two retries each: a fixed pause, or none, gives the same seconds every time
    for _ in range(3):
        assert task.run_serializable(engine, Work(failures=2), attempts=3) == 42
    assert len(pauses.seconds) == 6, (
        f"expected one pause before each of the 6 retries, got {pauses.seconds}: time.sleep"
        " between attempts, so the transactions that collided do not collide again at once"
    )
    assert all(seconds > 0 for seconds in pauses.seconds), f"a pause of 0: {pauses.seconds}"
    first_retries = pauses.seconds[0::2]
    assert len(set(first_retries)) > 1, (
        f"the first retry of each run waited {first_retries}: the same pause each time keeps"
        " colliding transactions in lockstep; draw it at random (random.uniform)"
    )

    pauses.seconds.clear()
    with pytest.raises(DBAPIError):
        task.run_serializable(engine, lambda connection: connection.scalar(text("SELECT 1 / 0")))
    assert pauses.seconds == [], "an error that is not retried needs no pause"


def test_the_pause_grows_with_the_attempt(engine, pauses):
    # 40 runs of four retries each, pauses drawn at random: summed over the runs, the fourth
    # retries' pauses must clearly outweigh the first ones'. Doubling gives eight times as
    # much, a pause that grows by a step each retry four times; one that does not grow fails
    # this (by chance, about once in a thousand runs), a growing one practically never
    for _ in range(40):
        task.run_serializable(engine, Work(failures=4), attempts=5)
    assert len(pauses.seconds) == 160, f"expected 4 pauses in each of 40 runs: {pauses.seconds}"
    first, fourth = sum(pauses.seconds[0::4]), sum(pauses.seconds[3::4])
    assert fourth > 1.5 * first, (
        f"the fourth retries waited {fourth:.3f} s in all, the first ones {first:.3f} s: let"
        " the pause grow with the attempt (e.g. random.uniform(0, 0.01 * 2**attempt)), so a"
        " conflict that persists backs off further each time"
    )
