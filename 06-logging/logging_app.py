"""The lesson's FastAPI app: a request id per request, an access log, safe error responses.

Running it builds the app over the course's PostgreSQL and Redis and a local rates upstream,
sends a few requests with FastAPI's TestClient and prints each response beside the JSON log
lines it produced: the same request id in the `X-Request-ID` header, in the problem body and
in every log line; an unhandled bug answered with a safe 500 while the log keeps the
traceback; a password and a card number masked in the logs.
"""

from __future__ import annotations

import logging
import time

import sentry_sdk
from errors_domain import ShopError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from logging_context import request_id_var
from logging_requests import (
    Payment,
    log_access,
    log_shop_error,
    log_unhandled,
    problem_parts,
    request_id_from,
)
from logging_shop import Shop
from monitoring_metrics import install_metrics
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry
from tracing_setup import install_tracing

logger = logging.getLogger(__name__)


def problem_response(error: ShopError) -> JSONResponse:
    """Render a domain error as an RFC 9457 problem response."""
    body, status, headers = problem_parts(error)
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def add_request_context(app: FastAPI) -> None:
    """Set the request id, log one access line per request, answer unhandled errors safely."""

    @app.middleware("http")
    async def request_context(request: Request, call_next):
        request_id = request_id_from(request.headers.get("x-request-id"))
        token = request_id_var.set(request_id)  # seen by everything this request calls
        trace.get_current_span().set_attribute("request.id", request_id)  # no-op untraced
        started = time.perf_counter()
        # a Sentry scope per request: its breadcrumbs and tags stay with it (no-op if the SDK
        # was not initialised); the access line is written inside it too
        with sentry_sdk.isolation_scope() as scope:
            scope.set_tag("request_id", request_id)
            try:
                response = await call_next(request)
            except Exception as error:
                log_unhandled(error, request.url.path)  # the full error for the operator
                response = problem_response(ShopError())  # a safe message for the client
            elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
            response.headers["X-Request-ID"] = request_id
            log_access(
                request.method, request.url.path, response.status_code, elapsed_ms, request.headers
            )
        request_id_var.reset(token)
        return response

    @app.exception_handler(ShopError)
    async def shop_error(request: Request, error: ShopError) -> JSONResponse:
        log_shop_error(error)
        return problem_response(error)


def create_app(
    shop: Shop,
    *,
    registry: CollectorRegistry | None = None,
    tracer_provider: TracerProvider | None = None,
) -> FastAPI:
    """Build the app over a shop, with Prometheus metrics and OpenTelemetry traces if given."""
    app = FastAPI(title="06-logging shop")
    app.state.shop = shop

    # plain `def` endpoints run in a thread pool; Starlette copies the context into it,
    # so the request id and the trace reach the code they call
    @app.get("/products/{sku}")
    def get_product(sku: str) -> dict:
        return shop.product(sku)

    @app.get("/rates/{currency}")
    def get_rate(currency: str) -> dict:
        return shop.rate(currency)

    @app.post("/payments")
    def pay(payment: Payment, request: Request) -> dict:
        # a careless log line on purpose: the redacting filter masks the card number
        logger.info("payment received", extra={"payment": payment.model_dump()})
        return {"status": "accepted", "last4": payment.card_number[-4:]}

    @app.get("/boom")
    def boom() -> dict:
        logger.info("building the report")  # a breadcrumb in the error tracker's event
        raise RuntimeError("bug: token=tok_live_123 in a message")  # masked in the log too

    # middleware added last runs first: the span opens first, so that every log line of the
    # request (the access line too) carries its trace id; metrics time the innermost part
    if registry is not None:
        install_metrics(app, registry)
    add_request_context(app)
    if tracer_provider is not None:
        install_tracing(app, tracer_provider)
    return app


def main() -> None:
    from fastapi.testclient import TestClient
    from logging_requests import demo_shop, print_exchanges

    with demo_shop() as (shop, output):
        print_exchanges(TestClient(create_app(shop)), output)
    print("Conclusion: one id joins the response and every line of its request; clients get")
    print("safe problem documents; the log keeps the cause; secrets never reach the output.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
