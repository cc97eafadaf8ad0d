"""The same shop in Flask: the same request id, access line, safe errors and problem documents.

Running it sends the FastAPI demo's requests to this Flask app and prints each response
beside its JSON log lines: the fields are the same as `logging_app.py`'s, because both apps
call `logging_requests`; only the hooks differ (Flask's `before_request`, `after_request`,
`teardown_request` and `errorhandler` where FastAPI has one middleware).
"""

from __future__ import annotations

import contextlib
import logging
import time

import sentry_sdk
from errors_domain import InvalidInput, ShopError
from flask import Flask, Response, g, jsonify, request
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
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


def problem_response(error: ShopError) -> Response:
    """Render a domain error as an RFC 9457 problem response."""
    body, status, headers = problem_parts(error)
    response = jsonify(body)
    response.status_code, response.mimetype = status, "application/problem+json"
    response.headers.update(headers)
    return response


def add_request_context(app: Flask) -> None:
    """Set the request id, log one access line per request, answer unhandled errors safely."""

    @app.before_request
    def open_request() -> None:
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        g.request_id, g.started = request_id, time.perf_counter()
        g.request_id_token = request_id_var.set(request_id)  # seen by everything it calls
        # a Sentry scope per request, closed in teardown_request (no-op without the SDK)
        g.scopes = contextlib.ExitStack()
        g.scopes.enter_context(sentry_sdk.isolation_scope()).set_tag("request_id", request_id)

    @app.after_request
    def close_response(response: Response) -> Response:  # also after an error handler
        elapsed_ms = round((time.perf_counter() - g.started) * 1000, 2)
        response.headers["X-Request-ID"] = g.request_id
        headers = {name.lower(): value for name, value in request.headers.items()}
        log_access(request.method, request.path, response.status_code, elapsed_ms, headers)
        return response

    @app.teardown_request
    def close_request(error: BaseException | None) -> None:
        if "request_id_token" in g:
            g.scopes.close()
            # a worker thread serves request after request: leave no id behind for the next
            request_id_var.reset(g.pop("request_id_token"))

    @app.errorhandler(ShopError)
    def shop_error(error: ShopError) -> Response:
        log_shop_error(error)
        return problem_response(error)

    @app.errorhandler(Exception)
    def unhandled(error: Exception) -> Response | HTTPException:
        if isinstance(error, HTTPException):
            return error  # Flask's own 404 or 405 for a wrong URL or method
        log_unhandled(error, request.path)  # the full error for the operator
        return problem_response(ShopError())  # a safe message for the client


def create_flask_app(shop: Shop) -> Flask:
    """Build the Flask app over a shop: the same four endpoints as the FastAPI app."""
    app = Flask(__name__)

    @app.get("/products/<sku>")
    def get_product(sku: str) -> dict:
        return shop.product(sku)

    @app.get("/rates/<currency>")
    def get_rate(currency: str) -> dict:
        return shop.rate(currency)

    @app.post("/payments")
    def pay() -> dict:
        try:  # Flask does not validate bodies: pydantic does it, as FastAPI does for its app
            payment = Payment.model_validate(request.get_json(silent=True))
        except ValidationError as error:
            raise InvalidInput(f"invalid payment: {error.error_count()} field error(s)") from error
        # a careless log line on purpose: the redacting filter masks the card number
        logger.info("payment received", extra={"payment": payment.model_dump()})
        return {"status": "accepted", "last4": payment.card_number[-4:]}

    @app.get("/boom")
    def boom() -> dict:
        logger.info("building the report")  # a breadcrumb in the error tracker's event
        raise RuntimeError("bug: token=tok_live_123 in a message")  # masked in the log too

    add_request_context(app)
    return app


def main() -> None:
    import httpx2
    from logging_requests import demo_shop, print_exchanges

    with demo_shop() as (shop, output):
        transport = httpx2.WSGITransport(app=create_flask_app(shop))  # in process, no server
        with httpx2.Client(transport=transport, base_url="http://flask.local") as client:
            print_exchanges(client, output)
    print("Conclusion: the same id, access line, problems and masking as the FastAPI app: the")
    print("framework only decides where the hooks go.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
