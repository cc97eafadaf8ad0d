"""Pagination: OFFSET reads every row it skips; keyset pagination seeks straight to the page.

Run `python 01-database/sql_pagination.py`. It loads 200,000 orders and fetches page 1 and a
page deep in the list (rows 150,001 to 150,020), newest first, two ways: `LIMIT 20 OFFSET n`
makes PostgreSQL produce and throw away n rows, so a deep page is slow; keyset pagination
(`WHERE (placed_at, id) < (:last_placed_at, :last_id) ORDER BY placed_at DESC, id DESC
LIMIT 20`) starts from the last row the client saw, through the index, so every page costs
the same. It also shows OFFSET's other flaw: an order placed while a customer pages through
the list shifts every row down by one, so OFFSET repeats a row; keyset does not.
"""

from __future__ import annotations

from datetime import datetime

from db_timing import median_ms
from sql_models import create_schema, make_engine
from sqlalchemy import Engine, text

import course
from course.sandbox import temporary_postgres_database

PAGE_SIZE, DEEP_OFFSET, FULL_SIZE = 20, 150_000, 200_000
Cursor = tuple[datetime, int]  # (placed_at, id) of the last row of a page


def load_orders(engine: Engine, *, orders: int) -> None:
    """Create the schema, an index on (placed_at, id), and `orders` generated orders."""
    create_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO customers (email, name) VALUES ('a@b.c', 'A')"))
        connection.execute(
            text(
                "INSERT INTO orders (customer_id, placed_at, total_cents)"
                " SELECT 1, timestamp '2025-01-01' + n * interval '1 minute', n"
                " FROM generate_series(1, :orders) AS n"
            ),
            {"orders": orders},
        )
        connection.execute(text("CREATE INDEX ix_orders_placed_at_id ON orders (placed_at, id)"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE orders"))


def page_by_offset(engine: Engine, *, offset: int, size: int = PAGE_SIZE) -> list[int]:
    """Return the ids of one page, newest first, skipping `offset` rows."""
    with engine.connect() as connection:
        return list(
            connection.scalars(
                text(
                    "SELECT id FROM orders ORDER BY placed_at DESC, id DESC"
                    " LIMIT :size OFFSET :offset"
                ),
                {"size": size, "offset": offset},
            )
        )


def page_after(
    engine: Engine, cursor: Cursor | None, *, size: int = PAGE_SIZE
) -> tuple[list[int], Cursor | None]:
    """Return the ids of the page after `cursor` (None: the first page) and the next cursor."""
    where = "WHERE (placed_at, id) < (:placed_at, :id)" if cursor else ""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                f"SELECT id, placed_at FROM orders {where}"  # nosec B608  # a constant clause; values are bound
                " ORDER BY placed_at DESC, id DESC LIMIT :size"
            ),
            {
                "size": size,
                "placed_at": cursor[0] if cursor else None,
                "id": cursor[1] if cursor else None,
            },
        ).all()
    next_cursor = (rows[-1].placed_at, rows[-1].id) if rows else None
    return [row.id for row in rows], next_cursor


def cursor_at(engine: Engine, *, offset: int) -> Cursor:
    """Return the keyset cursor of the row just before `offset` (what the client kept)."""
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT placed_at, id FROM orders"
                " ORDER BY placed_at DESC, id DESC OFFSET :skip LIMIT 1"
            ),
            {"skip": offset - 1},
        ).one()
    return row.placed_at, row.id


def place_newest_order(engine: Engine) -> None:
    """Insert an order newer than every other (as a customer might, mid-browse)."""
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO orders (customer_id, placed_at) VALUES (1, now() + interval '1 day')")
        )


def measure_deep_page(engine: Engine, *, offset: int = DEEP_OFFSET) -> dict[str, float]:
    """Time the same deep page by OFFSET and by keyset, on the same data."""
    cursor = cursor_at(engine, offset=offset)
    assert page_by_offset(engine, offset=offset) == page_after(engine, cursor)[0]  # same rows  # nosec B101  # the demo's self-check
    return {
        "offset_ms": median_ms(lambda: page_by_offset(engine, offset=offset)),
        "keyset_ms": median_ms(lambda: page_after(engine, cursor)),
    }


def benchmark(settings: course.Settings) -> list[dict]:
    """The figures for `make bench`: a deep page by OFFSET and by keyset."""
    from course.services.probes import probe_postgres

    server = probe_postgres(settings)  # name the server that produced the figure
    with temporary_postgres_database(settings, prefix="bench_pagination") as url:
        engine = make_engine(url)
        load_orders(engine, orders=FULL_SIZE)
        figures = measure_deep_page(engine)
        engine.dispose()
    return [
        {
            "name": f"{server}: page of {PAGE_SIZE} at row {DEEP_OFFSET:,} of {FULL_SIZE:,}",
            "baseline_label": "LIMIT ... OFFSET",
            "baseline": round(figures["offset_ms"], 3),
            "measured_label": "keyset (WHERE (placed_at, id) < ...)",
            "measured": round(figures["keyset_ms"], 3),
            "unit": "ms",
            "ratio": round(figures["offset_ms"] / figures["keyset_ms"], 1),
        }
    ]


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_pagination") as url:
        engine = make_engine(url)
        print(f"1. Loading {FULL_SIZE:,} orders, indexed on (placed_at, id) ...")
        load_orders(engine, orders=FULL_SIZE)
        first_ms = median_ms(lambda: page_by_offset(engine, offset=0))
        figures = measure_deep_page(engine)
        print(f"2. Page 1 by OFFSET 0: {first_ms:.3f} ms (round trip, median of 15)")
        print(f"3. Rows {DEEP_OFFSET + 1:,}-{DEEP_OFFSET + PAGE_SIZE:,}:"
              f" OFFSET {figures['offset_ms']:.3f} ms, keyset {figures['keyset_ms']:.3f} ms:"
              f" keyset {figures['offset_ms'] / figures['keyset_ms']:.0f}x faster")  # fmt: skip
        page_one, cursor = page_after(engine, None)
        place_newest_order(engine)
        by_offset = page_by_offset(engine, offset=PAGE_SIZE)
        by_keyset, _ = page_after(engine, cursor)
        print("4. A new order arrives between page 1 and page 2:")
        print(f"   OFFSET page 2 repeats {len(set(page_one) & set(by_offset))} row(s) of page 1;"
              f" keyset page 2 repeats {len(set(page_one) & set(by_keyset))}")  # fmt: skip
        engine.dispose()
    print("Conclusion: OFFSET's cost grows with the page number and it shifts under inserts;")
    print("keyset pagination (a cursor of the last row's sort key, unique by adding the id) does")
    print("neither. Its price: no jumping to page 500, only next and previous.")


if __name__ == "__main__":
    course.script_arguments()
    main()
