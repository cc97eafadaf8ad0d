"""The order service over HTTP: a FastAPI app that part 5 tests in three ways.

`create_app(repositories)` takes a function that yields a repository for each request, so the
same app runs over the fake repository, over a test's rolled-back PostgreSQL session, or over
a real engine in a server process. Its request model `NewOrder` carries the table's limits (a
reference of at most 40 characters, an int4 quantity), so bad input gets a 422, never a 500.
`NaiveNewOrder` is THE WRONG WAY: the same model without those limits; the fake accepts what
it lets through, and PostgreSQL refuses it with an error that surfaces as a 500, which
Schemathesis finds from the OpenAPI schema alone.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import JSONResponse
from orders_domain import DuplicateOrder, InvalidOrder, Line, Order, OrderNotFound
from orders_repository import OrderRepository, SqlOrderRepository
from orders_service import customer_total_cents, place_order
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)
INT4_MAX = 2**31 - 1  # PostgreSQL's integer column
# letters, digits and a few marks: no NUL byte, which PostgreSQL text cannot hold
NAME = r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$"
Repositories = Callable[[], AbstractContextManager[OrderRepository]]


class NewLine(BaseModel):
    """One line of a new order, within the database's limits."""

    sku: str = Field(min_length=1, max_length=40, pattern=NAME)
    quantity: int = Field(ge=1, le=INT4_MAX)
    unit_price_cents: int = Field(ge=0, le=INT4_MAX)


class NewOrder(BaseModel):
    """A new order as a client sends it, within the database's limits."""

    reference: str = Field(min_length=1, max_length=40, pattern=NAME)
    customer: str = Field(min_length=1, max_length=100, pattern=NAME)
    lines: list[NewLine] = Field(max_length=20)


class NaiveNewLine(BaseModel):
    """THE WRONG WAY: a line with the domain's rules only (quantity at least 1)."""

    sku: str
    quantity: int = Field(ge=1)
    unit_price_cents: int = Field(ge=0)


class NaiveNewOrder(BaseModel):
    """THE WRONG WAY: no length or range limits, so PostgreSQL is the first to say no."""

    reference: str
    customer: str
    lines: list[NaiveNewLine]


class OrderOut(BaseModel):
    """An order as the API returns it."""

    reference: str
    customer: str
    status: str
    total_cents: int
    lines: list[NaiveNewLine]


class Total(BaseModel):
    """A customer's total over all their orders."""

    customer: str
    total_cents: int


def order_out(order: Order) -> OrderOut:
    """Return the API's view of an order."""
    lines = [NaiveNewLine(**vars(line)) for line in order.lines]
    return OrderOut(
        reference=order.reference,
        customer=order.customer,
        status=order.status,
        total_cents=order.total_cents,
        lines=lines,
    )


def sql_repositories(engine: Engine) -> Repositories:
    """Return a function that gives each request a repository on a session of its own."""

    @contextmanager
    def repositories() -> Iterator[OrderRepository]:
        with Session(engine) as session:  # closed, and so rolled back if not committed
            yield SqlOrderRepository(session)

    return repositories


def create_app(repositories: Repositories, *, order_model: type[BaseModel] = NewOrder) -> FastAPI:
    """Return the order API; `repositories()` gives a repository for one request."""
    app = FastAPI(title="Orders", version="1.0")

    def repository() -> Iterator[OrderRepository]:
        with repositories() as found:
            yield found

    Repo = Annotated[OrderRepository, Depends(repository)]
    missing = {404: {"description": "no such order"}}

    @app.exception_handler(OrderNotFound)
    def not_found(request: object, error: OrderNotFound) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=404)

    @app.get("/health")
    def health() -> dict[str, str]:
        """Answer once the server takes requests (its factory has connected to the database)."""
        return {"status": "ok"}

    @app.post(
        "/orders", status_code=201, responses={409: {"description": "the reference is taken"}}
    )
    def post_order(body: order_model, repo: Repo) -> OrderOut:  # type: ignore[valid-type]
        """Place a new order."""
        data = body.model_dump()
        try:
            lines = [Line(**line) for line in data["lines"]]
            order = place_order(
                repo, reference=data["reference"], customer=data["customer"], lines=lines
            )
        except DuplicateOrder as error:
            raise HTTPException(409, str(error)) from None
        except InvalidOrder as error:
            raise HTTPException(422, str(error)) from None
        return order_out(order)

    @app.get("/orders/{reference}", responses=missing)
    def get_order(reference: str, repo: Repo) -> OrderOut:
        """Return one order."""
        order = repo.get(reference)
        if order is None:
            raise OrderNotFound(f"no order {reference}")
        return order_out(order)

    @app.post("/orders/{reference}/pay", responses=missing)
    def pay(reference: str, repo: Repo) -> OrderOut:
        """Mark an order paid."""
        order = repo.set_status(reference, "paid")
        repo.commit()
        return order_out(order)

    @app.get("/customers/{customer}/total")
    def total(customer: str, repo: Repo) -> Total:
        """Return the total of a customer's orders, in cents."""
        return Total(customer=customer, total_cents=customer_total_cents(repo, customer))

    return app
