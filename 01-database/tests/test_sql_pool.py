"""The pool lends at most size + overflow connections, and pre-ping replaces dead ones."""

import pytest
from sql_models import make_engine
from sql_pool import (
    borrow_connections,
    make_pooled_engine,
    measure_connection_cost,
    pool_status,
    query_once,
    terminate_other_sessions,
    transaction_left_idle,
)
from sqlalchemy import NullPool, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import Pool


@pytest.fixture
def small_pool(database_url):
    engine = make_pooled_engine(database_url, size=2, overflow=1, timeout=0.1)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    ("held", "status"),
    [
        (1, {"size": 2, "checked_out": 1, "overflow": 0}),
        (2, {"size": 2, "checked_out": 2, "overflow": 0}),
        (3, {"size": 2, "checked_out": 3, "overflow": 1}),
    ],
)
def test_the_pool_opens_overflow_connections_beyond_its_size(small_pool, held, status):
    assert borrow_connections(small_pool, held) == status


def test_returned_connections_go_back_to_the_pool_and_overflow_is_closed(small_pool):
    borrow_connections(small_pool, 3)

    assert pool_status(small_pool) == {"size": 2, "checked_out": 0, "overflow": 0}


def test_a_caller_beyond_size_plus_overflow_times_out(small_pool):
    with pytest.raises(PoolTimeout):
        borrow_connections(small_pool, 4)


def kill_pooled_connections(database_url, engine):
    query_once(engine)  # the pool now holds one open connection
    killer = make_engine(database_url, poolclass=NullPool)
    killed = terminate_other_sessions(killer)
    killer.dispose()
    return killed


def test_pre_ping_replaces_a_connection_the_server_killed(database_url):
    engine = make_pooled_engine(database_url, pre_ping=True)
    assert kill_pooled_connections(database_url, engine) == 1

    assert query_once(engine) == 1
    engine.dispose()


def test_without_pre_ping_the_first_query_on_a_killed_connection_fails(database_url):
    engine = make_pooled_engine(database_url, pre_ping=False)
    kill_pooled_connections(database_url, engine)

    with pytest.raises(OperationalError) as failure:
        query_once(engine)

    assert failure.value.connection_invalidated
    assert query_once(engine) == 1  # the pool was refreshed: the next caller succeeds
    engine.dispose()


def test_a_transaction_left_idle_is_ended_by_the_server(database_url):
    # a request that began a transaction and then hung (or forgot to commit) holds its locks
    # and its pooled connection until idle_in_transaction_session_timeout ends it
    engine = make_engine(database_url, poolclass=NullPool)

    ended = transaction_left_idle(engine, timeout_ms=100, idle_seconds=0.5)
    engine.dispose()

    assert ended == "ended by the server: idle-in-transaction timeout"


def test_a_session_the_idle_timeout_ended_makes_the_pool_replace_its_idle_connections(
    database_url,
):
    # what part1e says: SQLAlchemy takes the ended session for a disconnect and invalidates
    # the whole pool, so a healthy connection idle in it is replaced too, not only that one
    engine = make_pooled_engine(database_url, size=2, overflow=0, pre_ping=False)
    try:
        first, healthy = engine.connect(), engine.connect()
        first.execute(text("SELECT 1"))
        healthy_backend = healthy.scalar(text("SELECT pg_backend_pid()"))
        first.close()
        healthy.close()
        # both back in the pool; it lends the one returned first (FIFO, SQLAlchemy's default),
        # so the transaction left idle is first's, while healthy waits in the pool
        ended = transaction_left_idle(engine, timeout_ms=100, idle_seconds=0.5)
        assert ended == "ended by the server: idle-in-transaction timeout"
        with engine.connect() as one, engine.connect() as other:  # both of the pool's two
            backends = {c.scalar(text("SELECT pg_backend_pid()")) for c in (one, other)}
        assert healthy_backend not in backends
    finally:
        engine.dispose()


def test_the_idle_timeout_is_not_left_on_a_pooled_connection(small_pool):
    # the timeout is the transaction's (SET LOCAL): a session SET would stay on the
    # connection and end the next borrower's slow transactions too
    assert transaction_left_idle(small_pool, timeout_ms=60_000, idle_seconds=0) == "still open"

    with small_pool.connect() as connection:  # the pool's one idle connection, reused
        assert connection.scalar(text("SHOW idle_in_transaction_session_timeout")) == "0"


def test_the_measurement_opens_a_connection_each_time_on_one_side_only(database_url):
    opened = []

    def count(dbapi_connection, connection_record):
        opened.append(1)

    event.listen(Pool, "connect", count)
    try:
        cost = measure_connection_cost(database_url, rounds=3)
    finally:
        event.remove(Pool, "connect", count)

    # a warm-up round, then three: a new connection for each of the four on one side, and
    # the pool's one connection, opened in the warm-up and reused, on the other
    assert len(opened) == 4 + 1
    # "a pooled connection is Nx cheaper": the new connection's time over the pooled one's
    assert cost["ratio"] == cost["new connection"] / cost["pooled connection"]


def test_the_measured_pool_sends_no_pre_ping(database_url, monkeypatch):
    # a ping before each borrow is a round trip the new connection does not pay: measured
    # with it, the pool's side would carry two round trips to the other's one
    pings = []
    dialect = type(make_engine(database_url).dialect)
    real_ping = dialect.do_ping

    def counting_ping(self, dbapi_connection):
        pings.append(1)
        return real_ping(self, dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counting_ping)
    measure_connection_cost(database_url, rounds=3)

    assert pings == []
