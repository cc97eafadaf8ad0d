"""raiseload: make an N+1 query an error at the line that would cause it.

Run `python 01-database/sql_raiseload.py`. The N+1 problem (sql_n_plus_one.py) is silent: the
page is just slow. With `raiseload("*")` on a query, touching a relationship that was not
loaded up front raises instead of sending a query, so the mistake fails in a test, at its
line, rather than in production. Loading the relationship eagerly (selectinload) beside it
makes the same code work, in two statements.
"""

from __future__ import annotations

from sql_models import Order, make_engine
from sql_n_plus_one import add_orders_with_lines
from sql_statements import recorded_statements
from sqlalchemy import Engine, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, raiseload, selectinload

import course
from course.sandbox import temporary_postgres_database


def units_per_order(engine: Engine, *, load_lines: bool) -> list[tuple[int, int]]:
    """Return (order id, units) per order, forbidding every lazy load."""
    options = [selectinload(Order.lines)] if load_lines else []
    query = select(Order).options(*options, raiseload("*")).order_by(Order.id)
    with Session(engine) as session:
        return [
            (order.id, sum(line.quantity for line in order.lines))
            for order in session.scalars(query)
        ]


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_raiseload") as url:
        engine = make_engine(url)
        add_orders_with_lines(engine, orders=100)
        print("1. raiseload('*'), and the loop touches order.lines, which nobody loaded:")
        try:
            units_per_order(engine, load_lines=False)
        except InvalidRequestError as error:
            print(f"   InvalidRequestError: {str(error).splitlines()[0]}")
        with recorded_statements(engine) as statements:
            summaries = units_per_order(engine, load_lines=True)
        print(f"2. With selectinload(Order.lines): {len(summaries)} orders in"
              f" {len(statements)} statements")  # fmt: skip
        engine.dispose()
    print("Conclusion: raiseload turns a silent N+1 into an error at the line that causes it;")
    print("set it on the queries of a hot path, or as the relationship's default lazy='raise'.")


if __name__ == "__main__":
    course.script_arguments()
    main()
