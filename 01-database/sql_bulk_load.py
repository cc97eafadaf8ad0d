"""Bulk loading three ways: ORM objects one by one, executemany insert(), PostgreSQL COPY.

Run `python 01-database/sql_bulk_load.py`. It loads the same 10,000 customers into an empty
table with each way, five times each in alternating rounds after a small warm-up, and prints
each way's median rows per second with its slowest and fastest run: ORM objects flushed one
at a time (a round trip per row: the SLOW way, for contrast), one insert() with a list of rows
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
    "ORM objects one by one": load_one_by_one,
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
    with temporary_postgres_database(settings, prefix="bench_bulk_load") as url:
        engine = make_engine(url)
        results = measure_loaders(engine)
        engine.dispose()
    baseline_name = "ORM objects one by one"
    baseline = results[baseline_name]
    return [
        {
            "name": f"load {FULL_SIZE:,} customers: {name}",
            "baseline_label": f"{baseline_name} ({spread(baseline)})",
            "baseline": round(baseline["rows_per_second"]),
            "measured_label": f"{name} ({spread(result)})",
            "measured": round(result["rows_per_second"]),
            "unit": "rows/s",
            "ratio": round(result["rows_per_second"] / baseline["rows_per_second"], 1),
        }
        for name, result in results.items()
        if name != baseline_name
    ]


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_bulk_load") as url:
        engine = make_engine(url)
        print(f"Loading {FULL_SIZE:,} customers into an empty table, three ways:")
        results = measure_loaders(engine)
        engine.dispose()
    baseline = results["ORM objects one by one"]["rows_per_second"]
    for number, (name, result) in enumerate(results.items(), start=1):
        rate = result["rows_per_second"]
        print(f"{number}. {name:<23} {rate:>10,.0f} rows/s  {rate / baseline:5.1f}x"
              f"  ({spread(result)}; {min(result['stored']):,} rows each time)")  # fmt: skip
    print("Conclusion: round trips dominate; send rows in batches, and use COPY for big loads")
    print("(imports, migrations of data), where it is the fastest way into PostgreSQL.")


if __name__ == "__main__":
    main()
