"""Write skew: the anomaly REPEATABLE READ allows and only SERIALIZABLE stops.

Run `python 01-database/sql_write_skew.py`. The shop's rule: at least one support agent stays
on duty. Two agents on duty ask to go off at the same moment; each transaction checks "is
someone else still on duty?", sees yes, and updates ITS OWN row. No row is written twice, so
no lock conflicts and REPEATABLE READ's snapshot sees nothing wrong: both commit and nobody
is on duty. SERIALIZABLE notices that each transaction read rows the other then changed, and
aborts one with SQLSTATE 40001 (retry it: the retry then sees the rule and refuses).
Under READ COMMITTED the same happens as under REPEATABLE READ. Another fix, at READ
COMMITTED: lock the rows the check reads (`SELECT ... FOR UPDATE`), so the second check
waits and then sees the first one's write. (At REPEATABLE READ or SERIALIZABLE the waiter
gets 40001 instead, to retry; and a lock covers existing rows only, not rows inserted later.)
"""

from __future__ import annotations

import threading
from functools import partial

from psycopg import errors
from sql_models import make_engine
from sql_threads import WAIT_SECONDS, Hook, nothing, run_in_threads, wait_for_a_blocked_session
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

import course
from course.sandbox import temporary_postgres_database

LEVELS = ("READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE")


def create_rota(engine: Engine) -> None:
    """Create the support rota with two agents on duty."""
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE support_rota (agent text PRIMARY KEY, on_duty boolean NOT NULL)")
        )
        connection.execute(text("INSERT INTO support_rota VALUES ('ada', true), ('grace', true)"))


def go_off_duty(
    engine: Engine,
    agent: str,
    *,
    isolation_level: str,
    lock_rota: bool = False,
    after_check: Hook = nothing,
) -> str:
    """Leave the rota if someone else stays on duty; return what happened."""
    try:
        with engine.execution_options(isolation_level=isolation_level).begin() as connection:
            if lock_rota:  # every row the rule reads, in one fixed order: a second check waits
                connection.execute(text("SELECT agent FROM support_rota ORDER BY agent FOR UPDATE"))
            others = connection.scalar(
                text("SELECT count(*) FROM support_rota WHERE on_duty AND agent <> :agent"),
                {"agent": agent},
            )
            after_check()
            if others == 0:
                return "refused: the last one on duty"
            connection.execute(
                text("UPDATE support_rota SET on_duty = false WHERE agent = :agent"),
                {"agent": agent},
            )
    except OperationalError as error:
        if isinstance(error.orig, errors.SerializationFailure):
            return "serialization failure (40001)"
        raise
    return "off duty"


def both_go_off_duty(engine: Engine, isolation_level: str) -> list[object]:
    """Both agents check the rule before either writes, then each updates its own row."""
    both_checked = threading.Barrier(2, timeout=WAIT_SECONDS)
    leave = partial(go_off_duty, engine, isolation_level=isolation_level)
    return run_in_threads(
        lambda: leave("ada", after_check=both_checked.wait),
        lambda: leave("grace", after_check=both_checked.wait),
    )


def both_go_off_duty_with_the_rota_locked(engine: Engine) -> list[object]:
    """Under READ COMMITTED, the first holds the rota's locks until the second waits for them."""
    first_checked = threading.Event()

    def first() -> str:
        def hold_until_the_second_waits() -> None:
            first_checked.set()
            wait_for_a_blocked_session(engine)

        return go_off_duty(
            engine,
            "ada",
            isolation_level="READ COMMITTED",
            lock_rota=True,
            after_check=hold_until_the_second_waits,
        )

    def second() -> str:
        first_checked.wait(WAIT_SECONDS)
        return go_off_duty(engine, "grace", isolation_level="READ COMMITTED", lock_rota=True)

    return run_in_threads(first, second)


def agents_on_duty(engine: Engine) -> int:
    """Return how many agents are on duty."""
    with engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM support_rota WHERE on_duty"))


def on_duty(engine: Engine, agent: str) -> bool:
    """Return whether this agent is on duty."""
    with engine.connect() as connection:
        return connection.scalar(
            text("SELECT on_duty FROM support_rota WHERE agent = :agent"), {"agent": agent}
        )


def main() -> None:
    settings = course.require("postgres")
    print("Rule: at least one support agent on duty. Ada and Grace both ask to go off at once.")
    for number, level in enumerate(LEVELS, start=1):
        with temporary_postgres_database(settings, prefix="sql_write_skew") as url:
            engine = make_engine(url)
            create_rota(engine)
            outcomes = sorted(map(str, both_go_off_duty(engine, level)))
            on_duty = agents_on_duty(engine)
            engine.dispose()
        verdict = "rule kept" if on_duty >= 1 else "RULE BROKEN: write skew"
        print(f"{number}. {level:<16} {outcomes}; on duty after: {on_duty}  {verdict}")
    with temporary_postgres_database(settings, prefix="sql_write_skew") as url:
        engine = make_engine(url)
        create_rota(engine)
        outcomes = both_go_off_duty_with_the_rota_locked(engine)
        print(f"4. READ COMMITTED, rota locked FOR UPDATE first: {outcomes};")
        print(f"   on duty after: {agents_on_duty(engine)} (the second check waited, then refused)")
        engine.dispose()
    print("Conclusion: a check-then-write over rows you do not write is safe only under")
    print("SERIALIZABLE (retry its 40001) or with the checked rows locked FOR UPDATE.")


if __name__ == "__main__":
    course.script_arguments()
    main()
