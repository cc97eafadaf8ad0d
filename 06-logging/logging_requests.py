"""What both apps (FastAPI and Flask) do with a request, independent of the framework.

Importing it shows nothing: `logging_app.py` (FastAPI) and `logging_flask.py` (Flask) call
these functions from their own hooks, so both take the same request id, write the same access
line, log a domain error at the same level and answer with the same problem document.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import secrets
from collections.abc import Iterator, Mapping
from typing import Any

import sentry_sdk
from errors_domain import CircuitOpen, DependencyError, ShopError, problem
from logging_context import new_request_id, request_id_var
from logging_shop import Shop
from pydantic import BaseModel

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


def request_id_from(incoming: str | None) -> str:
    """Return the client's X-Request-ID if it is well formed, else a fresh id."""
    return incoming if incoming and SAFE_REQUEST_ID.fullmatch(incoming) else new_request_id()


def problem_parts(error: ShopError) -> tuple[dict[str, object], int, dict[str, str]]:
    """Return an RFC 9457 problem body, its status and its headers for a domain error."""
    # the breaker's own remaining wait, not a constant: it may have opened 29 s ago
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, CircuitOpen) else {}
    return problem(error, request_id_var.get()), error.status, headers


def log_shop_error(error: ShopError) -> None:
    """Log a domain error by what it means: an outage, a translated bug, or a refusal."""
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


def log_unhandled(error: BaseException, path: str) -> None:
    """The last line of defence: the full error in the log and in the error tracker."""
    logger.exception("unhandled error", exc_info=error, extra={"path": path})
    sentry_sdk.capture_exception(error)


def log_access(
    method: str, path: str, status: int, elapsed_ms: float, headers: Mapping[str, str]
) -> None:
    """Write the request's one access line, with only the allow-listed headers."""
    logger.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "status": status,
            "duration_ms": elapsed_ms,
            # an allow-list first, the redacting filter second
            "headers": {name: headers[name] for name in LOGGED_HEADERS if name in headers},
        },
    )


DEMO_REQUESTS = [
    ("GET", "/products/KB-01", None),
    ("GET", "/products/KB-01", None),
    ("GET", "/products/NOPE", None),
    ("GET", "/boom", None),
    ("POST", "/payments", {"card_number": "4111111111111111", "amount_cents": 10}),
]


@contextlib.contextmanager
def demo_shop() -> Iterator[tuple[Shop, io.StringIO]]:
    """Yield a shop over the course's services and the buffer its JSON log lines go to."""
    from errors_faults import FaultyUpstream
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
        table = f"obs_products_{secrets.token_hex(4)}"
        shop = make_shop(settings.database_url, settings.redis_url, upstream.url, table=table)
        shop.create_schema()
        shop.add_product("KB-01", "Keyboard", 4999)
        try:
            yield shop, output
        finally:
            with shop.engine.begin() as connection:
                connection.exec_driver_sql(f"DROP TABLE {shop.table}")
            close_shop(shop)


def print_exchanges(client: Any, output: io.StringIO) -> None:
    """Send the demo requests through client; print each response beside its log lines."""
    for number, (method, path, body) in enumerate(DEMO_REQUESTS, start=1):
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
