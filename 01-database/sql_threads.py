"""Race two buyers deterministically: threads, hooks, and a product to fight over.

The concurrency demonstrations (sql_concurrency.py, sql_isolation.py) and their tests run
each buyer in its own thread on its own connection. These helpers force the interleaving that
matters with hooks (a threading.Barrier, an Event, a wait until the database shows a session
blocked on a lock) instead of sleeping and hoping, so the outcome is the same on every run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sql_models import Product
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

products = Product.__table__
Hook = Callable[[], object]
WAIT_SECONDS = 10  # a generous bound: only reached if the choreography is broken


def nothing() -> None:
    """The default hook: do nothing."""


def wait_for_a_blocked_session(engine: Engine) -> None:
    """Return once another session of this database waits for a lock (it is then queued)."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + WAIT_SECONDS
    with engine.connect() as connection:
        while not connection.scalar(waiting):
            connection.rollback()  # pg_stat_activity is a snapshot per transaction: take a new one
            if time.monotonic() > deadline:
                raise TimeoutError("no session started waiting for the lock")
            time.sleep(0.01)  # polls an observable condition; the outcome never depends on it


def run_in_threads(*calls: Callable[[], object]) -> list[object]:
    """Run each call in its own thread at once; return their results, re-raising any error."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result(timeout=WAIT_SECONDS) for future in futures]


def add_product(engine: Engine, *, stock: int, sku: str = "KB-01") -> int:
    """Add a product with this stock; return its id."""
    with Session(engine) as session, session.begin():
        product = Product(sku=sku, name="Mechanical keyboard", price_cents=8900, stock=stock)
        session.add(product)
        session.flush()
        return product.id


def current_stock(engine: Engine, product_id: int) -> int:
    """Return the product's stock as committed."""
    with engine.connect() as connection:
        return connection.scalar(select(products.c.stock).where(products.c.id == product_id))
