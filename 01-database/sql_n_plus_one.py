"""The N+1 query problem: counted with an event listener, fixed with selectinload or joinedload.

Run `python 01-database/sql_n_plus_one.py`. Listing 500 orders with their lines the natural
way (loop over the orders, touch `order.lines`) sends 1 query for the orders and then 1 more
per order, 501 in all, because each `order.lines` is lazy-loaded when first touched. With
`selectinload` the ORM fetches every order's lines in a second query (2 in all); with
`joinedload`, in the same query through a LEFT OUTER JOIN (1 in all). Statements are counted
with SQLAlchemy's `before_cursor_execute` event (sql_statements.py): those counts are the same
on every run. Each way is also timed, as the median of five runs: after one untimed round of
all three, five rounds that run each once, in an order rotated every round, so that a busy
moment of the machine does not fall on one way alone, and each run starts after an untimed
garbage collection (otherwise the lazy way's many allocations set off a full collection,
which walks every live object, tens of ms, during the next way's run, charged to it).
Whether selectinload or joinedload is faster depends on the data. The script names a winner between
them only when their medians are at least 1.25x apart AND every run of one beat every run of
the other; otherwise it says "within noise". Either verdict is about this small data set.
"""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable

from db_timing import alternating_ms
from sql_models import Order, create_schema, make_engine
from sql_statements import recorded_statements
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, joinedload, selectinload

import course
from course.sandbox import temporary_postgres_database

FULL_SIZE = 500
NOISE_RATIO = 1.25  # timings closer than this swap places from run to run on a laptop
Summary = tuple[int, int]  # order id, number of units across its lines


def add_orders_with_lines(engine: Engine, *, orders: int, lines_per_order: int = 3) -> None:
    """Create the schema and generate orders, each with a few lines."""
    create_schema(engine)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO customers (email, name) VALUES ('a@example.com', 'A')")
        )
        connection.execute(
            text(
                "INSERT INTO products (sku, name, price_cents, stock)"
                " SELECT 'SKU-' || n, 'Product ' || n, 100 * n, 1000"
                " FROM generate_series(1, :lines) AS n"
            ),
            {"lines": lines_per_order},
        )
        connection.execute(
            text("INSERT INTO orders (customer_id) SELECT 1 FROM generate_series(1, :orders)"),
            {"orders": orders},
        )
        connection.execute(
            text(
                "INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents)"
                " SELECT orders.id, products.id, 2, products.price_cents FROM orders, products"
            )
        )


def order_summaries_lazily(session: Session) -> list[Summary]:
    """SLOW (N+1): one query for the orders, then one per order when `order.lines` is touched."""
    orders = session.scalars(select(Order).order_by(Order.id))
    return [(order.id, sum(line.quantity for line in order.lines)) for order in orders]


def order_summaries_selectin(session: Session) -> list[Summary]:
    """Fixed: a second query loads every order's lines at once (WHERE order_id IN (...))."""
    statement = select(Order).options(selectinload(Order.lines)).order_by(Order.id)
    orders = session.scalars(statement)
    return [(order.id, sum(line.quantity for line in order.lines)) for order in orders]


def order_summaries_joined(session: Session) -> list[Summary]:
    """Fixed: one query joins the lines to the orders (LEFT OUTER JOIN)."""
    # one statement, but on a collection the join repeats every order's columns once per
    # line (row multiplication), which is why selectinload is the usual choice for
    # collections, and joinedload for many-to-one (each row gains one related row)
    statement = select(Order).options(joinedload(Order.lines)).order_by(Order.id)
    orders = session.scalars(statement).unique()  # the join repeats each order per line
    return [(order.id, sum(line.quantity for line in order.lines)) for order in orders]


LOADERS: dict[str, Callable[[Session], list[Summary]]] = {
    "lazy (N+1)": order_summaries_lazily,
    "selectinload": order_summaries_selectin,
    "joinedload": order_summaries_joined,
}


def count_statements(engine: Engine, loader: Callable[[Session], list[Summary]]) -> dict:
    """Run a loader in a fresh Session; return its result and the statements it sent."""
    with Session(engine) as session, recorded_statements(engine) as statements:
        summaries = loader(session)
    return {"summaries": summaries, "statements": len(statements)}


def compare_loaders(engine: Engine, *, runs: int = 5) -> dict[str, dict]:
    """Run every loader; return its summaries, statement count, runs and median milliseconds."""
    # each run gets a fresh Session, opened and closed outside the timer
    sessions: list[Session] = []

    def open_session() -> None:
        gc.collect()  # the garbage of the runs before, so that none is collected in this one
        sessions.append(Session(engine))

    def close_session(_name: str) -> None:
        sessions.pop().close()

    def run(loader: Callable[[Session], list[Summary]]) -> Callable[[], list[Summary]]:
        return lambda: loader(sessions[-1])

    timed = {name: run(loader) for name, loader in LOADERS.items()}
    rounds = {"before_each": open_session, "after_each": close_session}
    # one untimed round first: the pool's connection, the compiled-statement cache
    alternating_ms(timed, rounds=1, **rounds)
    # then one run of each loader per round, the order rotating, so that a busy moment of
    # the machine does not always fall on the same loader
    runs_ms = alternating_ms(timed, rounds=runs, **rounds)
    return {
        name: {
            **count_statements(engine, loader),
            "runs_ms": runs_ms[name],
            "median_ms": statistics.median(runs_ms[name]),
        }
        for name, loader in LOADERS.items()
    }


def runs_overlap(one: dict, other: dict) -> bool:
    """Say whether two loaders' timed runs overlap: neither beat the other every time."""
    one_ms, other_ms = one["runs_ms"], other["runs_ms"]
    return max(one_ms) >= min(other_ms) and max(other_ms) >= min(one_ms)


def comparison_lines(results: dict[str, dict]) -> list[str]:
    """Describe compare_loaders' results: statements (exact) and median times (noisy)."""
    lazy_ms = results["lazy (N+1)"]["median_ms"]
    lines = []
    for number, (name, result) in enumerate(results.items(), start=1):
        count, ms = result["statements"], result["median_ms"]
        noun = "statement" if count == 1 else "statements"
        versus = "" if name == "lazy (N+1)" else f"  {lazy_ms / ms:.1f}x faster than lazy"
        lines.append(f"{number}. {name:<13} {count:>4} {noun:<10}  median {ms:6.1f} ms{versus}")
    selectin_ms, joined_ms = (
        results["selectinload"]["median_ms"],
        results["joinedload"]["median_ms"],
    )
    ratio = max(selectin_ms, joined_ms) / min(selectin_ms, joined_ms)
    if ratio < NOISE_RATIO:
        lines.append(f"   selectinload and joinedload: {ratio:.1f}x apart, within noise, no winner")
    elif runs_overlap(results["selectinload"], results["joinedload"]):
        lines.append(
            f"   selectinload and joinedload: {ratio:.1f}x apart, but their runs overlap:"
            " within noise, no winner"
        )
    else:
        faster = "selectinload" if selectin_ms < joined_ms else "joinedload"
        lines.append(
            f"   {faster} is {ratio:.1f}x faster than the other on this data"
            " (every run of it beat every run of the other)"
        )
    same = len({str(result["summaries"]) for result in results.values()}) == 1
    lines.append(f"   all three return the same summaries: {same}")
    return lines


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_n_plus_one") as url:
        engine = make_engine(url)
        add_orders_with_lines(engine, orders=FULL_SIZE)
        print(f"Listing {FULL_SIZE} orders with the units on their lines, three ways")
        print("(statement counts are exact; times are the median of 5 runs, in rotating rounds):")
        results = compare_loaders(engine, runs=5)
        engine.dispose()
    print("\n".join(comparison_lines(results)))
    print("Conclusion: a relationship touched in a loop costs one round trip per row; say what")
    print("you will need up front with selectinload (collections) or joinedload (single objects).")


if __name__ == "__main__":
    course.script_arguments()
    main()
