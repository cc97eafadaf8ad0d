"""Contract tests from the OpenAPI schema: Schemathesis finds the 500 no example test asked for.

Schemathesis reads the app's `/openapi.json`, generates request bodies that the schema allows,
sends them, and checks every answer (no 5xx, a documented status code, a body that matches the
response schema). Running it shows, over a real PostgreSQL:
1. the app with `NaiveNewOrder` (no length or range limits): a generated order PostgreSQL
   refuses, shrunk to the smallest such order;
2. the app with `NewOrder`, whose schema carries the table's limits: nothing found;
3. the same naive app over the fake repository: nothing found, since a dict has no limits.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from orders_api import NaiveNewOrder, Repositories, create_app
from orders_repository import FakeOrderRepository, OrderRepository, SqlOrderRepository
from sqlalchemy import Engine
from testing_isolation import fresh_database, require_services, rolled_back_session

from course import get_settings


def rolled_back_repositories(engine: Engine) -> Repositories:
    """Return a repository factory whose every request runs in a rolled-back session."""

    @contextmanager
    def repositories() -> Iterator[OrderRepository]:
        # one request, one transaction, rolled back: no example sees another's orders
        with rolled_back_session(engine) as session:
            yield SqlOrderRepository(session)

    return repositories


def find_server_error(app: FastAPI, max_examples: int = 40, *, shrink: bool = True) -> str | None:
    """Send generated `POST /orders` bodies; return the failure found, or None if all passed."""
    operation = schemathesis.openapi.from_asgi("/openapi.json", app)["/orders"]["POST"]

    # derandomize: the same search every run; database=None: no old failure replayed first;
    # the health checks would complain that generated bodies are large, which they should be
    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        # shrinking makes the failure small enough to read, at the cost of many more requests
        phases=[Phase.generate, Phase.shrink] if shrink else [Phase.generate],
    )
    @given(case=operation.as_strategy())
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate()

    try:
        check()
    except Exception as error:  # any failure is the finding we report
        lines = f"{type(error).__name__}: {error}".splitlines()
        # SQLAlchemy's message names the values it sent: the generated order that failed
        return "\n".join([lines[0], *(line for line in lines if line.startswith("[parameters"))])
    return None


def fake_repositories() -> Repositories:
    """Return a repository factory over one fake repository, shared by every request."""
    fake = FakeOrderRepository()

    def repositories() -> AbstractContextManager[OrderRepository]:
        return nullcontext(fake)

    return repositories


def main() -> None:
    settings = require_services(get_settings(), "postgres")
    with fresh_database(settings.database_url, prefix="orders_contract") as engine:
        postgres = rolled_back_repositories(engine)
        print("1. Schemathesis on POST /orders, NaiveNewOrder (no limits), over PostgreSQL:")
        found = find_server_error(create_app(postgres, order_model=NaiveNewOrder))
        print(textwrap.indent(str(found), "   "))  # the error, then the order that caused it
        print("2. The same over PostgreSQL with NewOrder (the table's limits in the schema):")
        print(f"   failure found: {find_server_error(create_app(postgres))}")
    print("3. NaiveNewOrder over the fake repository (a dict has no limits):")
    naive_fake = create_app(fake_repositories(), order_model=NaiveNewOrder)
    print(f"   failure found: {find_server_error(naive_fake)}")
    print("Conclusion: the fake passes what the database refuses; the schema, the real")
    print("database and generated input together find the bug, and the fix is in the schema.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
