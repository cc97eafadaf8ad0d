"""The lesson's FastAPI app: a request id per request, an access log, safe error responses.

Running it builds the app over the course's PostgreSQL and Redis and a local rates upstream,
sends a few requests with FastAPI's TestClient and prints each response beside the JSON log
lines it produced: the same request id in the `X-Request-ID` header, in the problem body and
in every log line; an unhandled bug answered with a safe 500 while the log keeps the
traceback; a password and a card number masked in the logs.
"""

from __future__ import annotations

import logging
import re
import time

import sentry_sdk
from errors_domain import CircuitOpen, DependencyError, ShopError, problem
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from logging_context import new_request_id, request_id_var
from logging_shop import Shop
from monitoring_metrics import install_metrics
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry
from pydantic import BaseModel
from tracing_setup import install_tracing

logger = logging.getLogger(__name__)

# an id a client sends is reused only if it looks like one: a header is user input, and a
# newline or a megabyte in it would end up in every log line of the request
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")

# the only request headers the access line keeps: never log headers wholesale, since any
# header the redacting filter does not know by name (X-Api-Key, X-Auth-Token...) would leak
LOGGED_HEADERS = ("user-agent", "content-type", "content-length", "accept")


class Payment(BaseModel):
    card_number: str
    amount_cents: int


def problem_response(error: ShopError) -> JSONResponse:
    """Render a domain error as an RFC 9457 problem response."""
    # the breaker's own remaining wait, not a constant: it may have opened 29 s ago
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, CircuitOpen) else None
    return JSONResponse(
        problem(error, request_id_var.get()),
        status_code=error.status,
        media_type="application/problem+json",
        headers=headers,
    )


def add_request_context(app: FastAPI) -> None:
    """Set the request id, log one access line per request, answer unhandled errors safely."""

    @app.middleware("http")
    async def request_context(request: Request, call_next):
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else new_request_id()
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
                # the last line of defence: the full error in the log and the error tracker,
                # a safe message to the client
                logger.exception("unhandled error", extra={"path": request.url.path})
                sentry_sdk.capture_exception(error)
                response = problem_response(ShopError())
            elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
            response.headers["X-Request-ID"] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.url.path,
                response.status_code,
                extra={
                    "status": response.status_code,
                    "duration_ms": elapsed_ms,
                    "headers": {
                        name: request.headers[name]
                        for name in LOGGED_HEADERS
                        if name in request.headers
                    },
                },  # an allow-list first, the redacting filter second
            )
        request_id_var.reset(token)
        return response

    @app.exception_handler(ShopError)
    async def shop_error(request: Request, error: ShopError) -> JSONResponse:
        if isinstance(error, DependencyError):
            # an outage: the operator needs the cause chain, so log it with the traceback
            logger.error(
                "dependency failed: %s",
                error,
                exc_info=error,
                extra={"dependency": error.dependency, "status": error.status},
            )
        elif error.status >= 500:
            # a translated bug (an upstream 400, a SQL syntax error): an error, with its cause
            logger.error("request failed: %s", error, exc_info=error, extra={"status": 500})
            sentry_sdk.capture_exception(error)
        else:
            # a refusal (404, 422): the client's mistake, not ours
            logger.info("request refused: %s", error, extra={"status": error.status})
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
    import io
    import json
    import secrets

    from errors_faults import FaultyUpstream
    from fastapi.testclient import TestClient
    from logging_shop import close_shop, make_shop
    from logging_structured import json_handler

    import course

    settings = course.require("postgres", "redis")
    output = io.StringIO()
    root = logging.getLogger()
    root.addHandler(json_handler(output))
    root.setLevel(logging.INFO)
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # the test client logs every call
    with FaultyUpstream() as upstream:
        shop = make_shop(
            settings.database_url,
            settings.redis_url,
            upstream.url,
            table=f"obs_products_{secrets.token_hex(4)}",
        )
        shop.create_schema()
        shop.add_product("KB-01", "Keyboard", 4999)
        client = TestClient(create_app(shop))
        requests = [
            ("GET", "/products/KB-01", None),
            ("GET", "/products/KB-01", None),
            ("GET", "/products/NOPE", None),
            ("GET", "/boom", None),
            ("POST", "/payments", {"card_number": "4111111111111111", "amount_cents": 10}),
        ]
        for number, (method, path, body) in enumerate(requests, start=1):
            output.seek(0)
            output.truncate()
            response = client.request(
                method, path, json=body, headers={"Authorization": "Bearer secret-token-123"}
            )
            print(f"{number}. {method} {path} -> {response.status_code} {response.json()}")
            print(f"   X-Request-ID: {response.headers['x-request-id']}; log lines:")
            for line in output.getvalue().splitlines():
                record = json.loads(line)
                shown = {k: record[k] for k in ("level", "message", "request_id") if k in record}
                extra = " (+ traceback)" if "exc_info" in record else ""
                print(f"   {shown}{extra}")
            leaked = [s for s in ("4111111111111111", "secret-token-123") if s in output.getvalue()]
            print(f"   the card number or the bearer token in these lines: {leaked or 'neither'}")
        with shop.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP TABLE {shop.table}")
        close_shop(shop)
    print("Conclusion: one id joins the response and every line of its request; clients get")
    print("safe problem documents; the log keeps the cause; secrets never reach the output.")


if __name__ == "__main__":
    main()
