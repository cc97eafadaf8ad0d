"""The connection pool: its size and overflow, pool_pre_ping, and what a new connection costs.

Run `python 01-database/sql_pool.py`. You will see an engine's pool hand out at most
pool_size + max_overflow connections and make the next caller wait (then time out), a pooled
connection killed on the server side be replaced transparently thanks to pool_pre_ping, and
the cost of opening a new connection for every query (TCP, authentication, a new server
process) measured against borrowing one from the pool, as a ratio.
"""

from __future__ import annotations

import functools
import statistics
import time
from contextlib import ExitStack

from db_timing import alternating_ms
from psycopg import errors
from sql_models import make_engine
from sqlalchemy import Engine, NullPool, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

import course
from course.sandbox import temporary_postgres_database

ROUNDS = 200


def make_pooled_engine(url: str, *, size: int = 5, overflow: int = 2, pre_ping: bool = True,
                       timeout: float = 30) -> Engine:  # fmt: skip
    """Return an engine with a QueuePool of `size` kept connections and `overflow` extra ones."""
    return make_engine(
        url, pool_size=size, max_overflow=overflow, pool_pre_ping=pre_ping, pool_timeout=timeout
    )


def transaction_left_idle(engine: Engine, *, timeout_ms: int, idle_seconds: float) -> str:
    """Begin a transaction, sit idle in it, then commit; return what the next statement meets."""
    with engine.connect() as connection:
        # SET LOCAL: for this transaction only, so a pooled connection never keeps it (a plain
        # SET would outlive the commit on the session, and reach the pool's next borrower)
        connection.execute(
            text(f"SET LOCAL idle_in_transaction_session_timeout = {int(timeout_ms)}")
        )  # the transaction begins here ...
        time.sleep(idle_seconds)  # ... and the caller forgets it (a hung request, a bug)
        try:
            connection.execute(text("SELECT 1"))
            connection.commit()  # the request finishes after all, late
        except DBAPIError as error:  # SQLAlchemy wraps this SQLSTATE (25P03) as InternalError
            if isinstance(error.orig, errors.IdleInTransactionSessionTimeout):
                return "ended by the server: idle-in-transaction timeout"
            raise
    return "still open"


def pool_status(engine: Engine) -> dict[str, int]:
    """Return how many connections the pool keeps, has lent out, and has opened beyond size."""
    pool = engine.pool
    return {
        "size": pool.size(),
        "checked_out": pool.checkedout(),
        "overflow": max(0, pool.overflow()),
    }


def borrow_connections(engine: Engine, count: int) -> dict[str, int]:
    """Hold `count` connections at once; return the pool's status while they are held."""
    with ExitStack() as stack:
        for _ in range(count):
            stack.enter_context(engine.connect()).execute(text("SELECT 1"))
        return pool_status(engine)


def terminate_other_sessions(engine: Engine) -> int:
    """Kill every other session on this database, as a server restart or failover would."""
    with engine.connect() as connection:
        return connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )


def query_once(engine: Engine) -> int:
    """Borrow a connection, run SELECT 1, give it back."""
    with engine.connect() as connection:
        return connection.scalar(text("SELECT 1"))


def measure_connection_cost(url: str, *, rounds: int = ROUNDS) -> dict[str, float]:
    """Return the median ms of SELECT 1 on a new connection each time and on a pooled one."""
    # no pre-ping on the pooled side: it would add a round trip that the new connection,
    # which is known alive, does not pay; the pool's own cost is what is measured
    fresh, pooled = make_engine(url, poolclass=NullPool), make_pooled_engine(url, pre_ping=False)
    runs = {
        "new connection": functools.partial(query_once, fresh),
        "pooled connection": functools.partial(query_once, pooled),
    }
    alternating_ms(runs, rounds=1)  # an untimed warm-up: opens the pool's first connection
    # the order rotates every round, so each side runs as often right after the other's
    timings = alternating_ms(runs, rounds=rounds)
    fresh.dispose()
    pooled.dispose()
    medians = {name: statistics.median(values) for name, values in timings.items()}
    return medians | {"ratio": medians["new connection"] / medians["pooled connection"]}


def benchmark(settings: course.Settings) -> list[dict]:
    """The figures for `make bench`: SELECT 1 on a new connection versus a pooled one."""
    from course.services.probes import probe_postgres

    server = probe_postgres(settings)  # name the server that produced the figure
    with temporary_postgres_database(settings, prefix="bench_pool") as url:
        cost = measure_connection_cost(url)
    return [{
        "name": f"{server}: SELECT 1, median of 200",
        "baseline_label": "new connection", "baseline": round(cost["new connection"], 3),
        "measured_label": "pooled connection", "measured": round(cost["pooled connection"], 3),
        "unit": "ms", "ratio": round(cost["ratio"], 1),
    }]  # fmt: skip


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_pool") as url:
        engine = make_pooled_engine(url, size=2, overflow=1, timeout=0.5)
        print("1. A pool of size 2 with overflow 1, holding 3 connections at once:")
        print(f"   {borrow_connections(engine, 3)}")
        print(f"   and after they are returned: {pool_status(engine)} (overflow closed)")
        try:
            borrow_connections(engine, 4)
        except PoolTimeout:
            print("2. A 4th caller waits pool_timeout (0.5 s), then gets a TimeoutError.")
        query_once(engine)
        killed = terminate_other_sessions(make_engine(url, poolclass=NullPool))
        print(f"3. {killed} pooled connection(s) killed on the server; with pool_pre_ping the")
        print(f"   next query pings, replaces the dead one, and succeeds: {query_once(engine)}")
        engine.dispose()
        ended = transaction_left_idle(
            make_engine(url, poolclass=NullPool), timeout_ms=200, idle_seconds=0.5
        )
        print("4. A transaction left idle for 0.5 s, idle_in_transaction_session_timeout 200 ms:")
        print(f"   {ended} (its locks and connection are freed)")
        cost = measure_connection_cost(url)
    print(f"5. SELECT 1, median of {ROUNDS}: new connection {cost['new connection']:.3f} ms,"
          f" pooled {cost['pooled connection']:.3f} ms")  # fmt: skip
    print(f"Conclusion: a pooled connection is {cost['ratio']:.0f}x cheaper than a new one; size")
    print(
        "the pool for your concurrency, and keep (pool_size + max_overflow) x processes x engines"
    )
    print("under max_connections, leaving room for admin and migration connections.")


if __name__ == "__main__":
    course.script_arguments()
    main()
