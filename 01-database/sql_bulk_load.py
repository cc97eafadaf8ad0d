"""Bulk loading: ORM objects one by one, one INSERT per row, executemany insert(), COPY.

Run `python 01-database/sql_bulk_load.py`. It loads the same 10,000 customers into an empty
table with each way, five times each in alternating rounds after a small warm-up, and prints
each way's median rows per second with its slowest and fastest run: ORM objects flushed one
at a time (the SLOW way, for contrast: per row, the ORM builds the object, flushes it through
its unit of work, reads the new id back and tracks it, Core executes the statement, and it pays
a round trip), one plain INSERT per row through psycopg (the round trip per row without any of
SQLAlchemy's work, so the difference is the ORM's and Core's work together, not the ORM's
alone), one insert() with a list of rows
(SQLAlchemy hands psycopg ONE single-row INSERT with 10,000 parameter sets, and psycopg 3's
executemany pipelines them: many statements, few network round trips), and COPY ... FROM
STDIN through psycopg's `cursor.copy()` (PostgreSQL's own bulk path, one stream). When the
new rows' ids are wanted (INSERT ... RETURNING), SQLAlchemy's "insertmanyvalues" instead
rewrites the statement into multi-row INSERTs of 1,000 rows each (with
sort_by_parameter_order=True, on PostgreSQL the form INSERT ... SELECT ... FROM (VALUES ...)
ORDER BY sen_counter RETURNING ..., so the ids come back in the order of the rows given).
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Callable

from db_timing import alternating_ms
from sql_models import Customer, create_schema, make_engine
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

import course
from course.sandbox import temporary_postgres_database

FULL_SIZE = 10_000
ORM_WAY, ROW_WAY = "ORM objects one by one", "one INSERT per row"
REPEATS = 5  # timed loads of each way, in alternating rounds, after a warm-up
Row = tuple[str, str]  # email, name


def generate_customers(count: int) -> list[Row]:
    """Return `count` distinct (email, name) rows."""
    return [(f"customer{n}@example.com", f"Customer {n}") for n in range(count)]


def load_one_by_one(engine: Engine, rows: list[Row]) -> None:
    """SLOW: an ORM object per row, flushed one at a time (a round trip per row)."""
    with Session(engine) as session, session.begin():
        for email, name in rows:
            session.add(Customer(email=email, name=name))
            session.flush()  # what happens when each row is saved as it is read


def load_row_by_row(engine: Engine, rows: list[Row]) -> None:
    """One plain INSERT per row through psycopg: a round trip each, none of SQLAlchemy's work."""
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            for row in rows:
                cursor.execute("INSERT INTO customers (email, name) VALUES (%s, %s)", row)
        raw.commit()
    finally:
        raw.close()


def load_with_executemany(engine: Engine, rows: list[Row]) -> None:
    """One insert() with a list of parameter sets: psycopg's executemany, pipelined."""
    with engine.begin() as connection:
        connection.execute(insert(Customer), [{"email": e, "name": n} for e, n in rows])


def insert_returning_ids(engine: Engine, rows: list[Row]) -> list[int]:
    """Insert rows and return their new ids: "insertmanyvalues", multi-row INSERTs."""
    with engine.begin() as connection:
        result = connection.execute(
            insert(Customer).returning(Customer.id, sort_by_parameter_order=True),
            [{"email": e, "name": n} for e, n in rows],
        )
        return list(result.scalars())


def load_with_copy(engine: Engine, rows: list[Row]) -> None:
    """Stream the rows with COPY ... FROM STDIN through psycopg's cursor.copy()."""
    raw = engine.raw_connection()
    try:
        with (
            raw.driver_connection.cursor() as cursor,
            cursor.copy("COPY customers (email, name) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)  # psycopg escapes each value: no injection here either
        raw.commit()
    finally:
        raw.close()


LOADERS: dict[str, Callable[[Engine, list[Row]], None]] = {
    ORM_WAY: load_one_by_one,
    ROW_WAY: load_row_by_row,
    "executemany insert()": load_with_executemany,
    "COPY FROM STDIN": load_with_copy,
}


def customer_count(engine: Engine) -> int:
    """Return how many customers the table holds."""
    with engine.connect() as connection:
        return connection.scalar(select(text("count(*)")).select_from(Customer.__table__))


def empty_customers(engine: Engine) -> None:
    """Empty the table (and restart its ids), so every timed load starts from the same state."""
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE customers RESTART IDENTITY CASCADE"))


def measure_loaders(
    engine: Engine, *, rows: int = FULL_SIZE, repeats: int = REPEATS, warm_up_rows: int = 1_000
) -> dict[str, dict]:
    """Time each loader `repeats` times on the same rows; return the median rows/s and spread."""
    create_schema(engine)
    customers = generate_customers(rows)
    # a warm-up on a small batch: the first connection, psycopg's prepared statements, caches
    warm_up = {name: functools.partial(load, engine, customers[:warm_up_rows])
               for name, load in LOADERS.items()}  # fmt: skip
    alternating_ms(warm_up, rounds=1, before_each=lambda: empty_customers(engine))
    loads = {name: functools.partial(load, engine, customers) for name, load in LOADERS.items()}
    stored: dict[str, list[int]] = {name: [] for name in LOADERS}
    durations = alternating_ms(
        loads,
        rounds=repeats,
        before_each=lambda: empty_customers(engine),
        after_each=lambda name: stored[name].append(customer_count(engine)),
    )
    rates = {name: sorted(rows * 1000 / ms for ms in runs) for name, runs in durations.items()}
    return {
        name: {
            "rows_per_second": statistics.median(rate),
            "slowest": rate[0],
            "fastest": rate[-1],
            "runs": len(rate),
            "stored": stored[name],  # the rows each timed load left in the table
        }
        for name, rate in rates.items()
    }


def spread(result: dict) -> str:
    """Return "median of 5, 31,000-36,000" for a loader's result."""
    return f"median of {result['runs']}, {result['slowest']:,.0f}-{result['fastest']:,.0f} rows/s"


def benchmark(settings: course.Settings) -> list[dict]:
    """The figures for `make bench`: each fast way against the row-by-row way, in rows/s."""
    from course.services.probes import probe_postgres

    server = probe_postgres(settings)  # name the server that produced the figure
    with temporary_postgres_database(settings, prefix="bench_bulk_load") as url:
        engine = make_engine(url)
        results = measure_loaders(engine)
        engine.dispose()
    # every way against the ORM's; executemany also against one INSERT per row: that ratio is
    # what batching saves in round trips alone, without the ORM's per-object work
    pairs = [(ORM_WAY, name) for name in results if name != ORM_WAY] + [
        (ROW_WAY, "executemany insert()")
    ]
    return [
        {
            "name": f"{server}: load {FULL_SIZE:,} customers: {name}"
            + ("" if baseline_name == ORM_WAY else f" vs {baseline_name}"),
            "baseline_label": f"{baseline_name} ({spread(results[baseline_name])})",
            "baseline": round(results[baseline_name]["rows_per_second"]),
            "measured_label": f"{name} ({spread(results[name])})",
            "measured": round(results[name]["rows_per_second"]),
            "unit": "rows/s",
            "ratio": round(
                results[name]["rows_per_second"] / results[baseline_name]["rows_per_second"], 1
            ),
        }
        for baseline_name, name in pairs
    ]


def ms_per_row(result: dict) -> float:
    """Return a loader's median cost of one row in ms."""
    return 1000 / result["rows_per_second"]


def per_row_split(results: dict[str, dict]) -> list[str]:
    """Return the lines that split the ORM way's time per row: SQLAlchemy's work, the rest."""
    orm, row, many = (
        ms_per_row(results[name]) for name in (ORM_WAY, ROW_WAY, "executemany insert()")
    )
    return [
        f"Per row: the ORM way {orm:.3f} ms, one INSERT {row:.3f} ms, executemany {many:.3f} ms:",
        # the psycopg side skips Core too, so the difference is not the ORM's share alone
        f"{(orm - row) / orm:.0%} of the ORM way's time is SQLAlchemy's work per row (the ORM's",
        "unit of work and Core's execution of each statement), the rest mostly the round trip",
        "per row, which batching removes.",
    ]


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_bulk_load") as url:
        engine = make_engine(url)
        print(f"Loading {FULL_SIZE:,} customers into an empty table, four ways:")
        results = measure_loaders(engine)
        engine.dispose()
    baseline = results[ORM_WAY]["rows_per_second"]
    for number, (name, result) in enumerate(results.items(), start=1):
        rate = result["rows_per_second"]
        print(f"{number}. {name:<23} {rate:>10,.0f} rows/s  {rate / baseline:5.1f}x"
              f"  ({spread(result)}; {min(result['stored']):,} rows each time)")  # fmt: skip
    print("\n".join(per_row_split(results)))
    print("Conclusion: do not flush ORM objects one at a time; send rows in batches, and use COPY")
    print("for big loads (imports, migrations of data), the fastest way into PostgreSQL.")


if __name__ == "__main__":
    course.script_arguments()
    main()
