"""The bookshop API in FastAPI: routers, `Depends`, and the schema it generates.

Run it with `python 04-api/api_fastapi.py` (uvicorn, port 8000); http://127.0.0.1:8000/docs
is the interactive documentation FastAPI builds from the pydantic models, and
`/openapi.json` the schema behind it. Errors leave as RFC 9457 problems, as in Flask.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from api_fastapi_books import get_resources, router
from api_problems import (
    PROBLEM_JSON,
    ApiProblem,
    body_of,
    internal_error_body,
    problem_body,
    validation_problem,
)
from api_ratelimit import RateLimiter
from api_resources import Resources, open_resources, readiness
from api_settings import ApiSettings, settings_from_course
from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import course

logger = logging.getLogger(__name__)

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")  # OPTIONS: the 405 handler


class BodyTooLarge(HTTPException):
    """Raised while reading a body that grew past the limit (FastAPI lets HTTP errors through)."""


class BodySizeLimit:
    """ASGI middleware: refuse a body over `max_bytes` with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int, cover_max_bytes: int) -> None:
        self.app, self.json_max_bytes, self.cover_max_bytes = app, max_bytes, cover_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        cover = scope["path"].endswith("/cover")  # a cover upload has its own, larger limit
        max_bytes = self.cover_max_bytes if cover else self.json_max_bytes
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > max_bytes:
            response = problem(problem_body(413, f"the body is over {max_bytes} bytes"))
            return await response(scope, receive, send)
        received = 0

        async def counted_receive() -> dict:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > max_bytes:  # a chunked body has no Content-Length to check
                raise BodyTooLarge(413, f"the body is over {max_bytes} bytes")
            return message

        await self.app(scope, counted_receive, send)


class RateLimit:
    """ASGI middleware: count each API request in Redis before anything reads its body."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app, self.limiter = app, limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # a dependency would run after FastAPI has read and parsed the body; Flask's
        # before_request runs first, so this keeps the two apps' answers the same
        counted = scope["type"] == "http" and scope["path"].startswith("/api/")
        if counted and scope["method"] != "OPTIONS":  # preflights are not counted (as Flask)
            client = scope["client"][0] if scope.get("client") else "unknown"
            decision = await anyio.to_thread.run_sync(self.limiter.check, client)  # Redis blocks
            if not decision.allowed:
                detail = f"too many requests; retry in {decision.retry_after} s"
                body = problem_body(429, detail, slug="rate-limited")
                response = problem(body, {"Retry-After": str(decision.retry_after)})
                return await response(scope, receive, send)
        await self.app(scope, receive, send)


class NarrowCORS(CORSMiddleware):
    """Starlette's CORS, except that another origin gets no CORS header at all, as in Flask."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else Headers()
        origin = headers.get("origin")
        if origin is None or self.is_allowed_origin(origin):
            return await super().__call__(scope, receive, send)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            # Starlette answers 400 text/plain; Flask-CORS the route's OPTIONS, no grant
            return await self.app(scope, receive, send)

        async def send_no_grant(message: Message) -> None:
            # Starlette adds Expose-Headers even for an origin it refuses; Vary stays
            if message["type"] == "http.response.start":
                kept = [pair for pair in message["headers"] if not granting(pair[0])]
                message["headers"] = kept
            await send(message)

        await super().__call__(scope, receive, send_no_grant)


def granting(header: bytes) -> bool:
    """Whether a response header is a CORS grant (`Access-Control-...`)."""
    return header.lower().startswith(b"access-control-")


def problem(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    """An `application/problem+json` response."""
    return JSONResponse(body, body["status"], headers=headers, media_type=PROBLEM_JSON)


def allowed_methods(request: Request) -> list[str]:
    """The methods some route serves on this request's path, for a 405's `Allow` (RFC 9110)."""
    # ask the routes with each method: an included router does not list its routes' methods
    return [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]


def install_error_handlers(app: FastAPI) -> None:
    """Turn every exception into a problem response."""

    @app.exception_handler(ApiProblem)
    async def api_problem(_request: Request, error: ApiProblem) -> JSONResponse:
        return problem(body_of(error), error.headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        headers = dict(error.headers or {})
        if error.status_code == 405:  # Starlette lists only the first route that matched the path
            allowed = [*allowed_methods(request), "OPTIONS"]
            headers["Allow"] = ", ".join(allowed)
            if request.method == "OPTIONS":  # not a CORS preflight: say what the path allows
                return Response(status_code=200, headers=headers)
        return problem(problem_body(error.status_code, str(error.detail)), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = list(error.errors())
        empty_body = [(item["type"], item["loc"]) for item in errors] == [("missing", ("body",))]
        if empty_body or any(item["type"] == "json_invalid" for item in errors):
            return problem(problem_body(400, "the body is not valid JSON", slug="malformed-json"))
        places = {item["loc"][0] for item in errors}
        if places == {"path"}:  # /books/abc: no such book, as Flask's <int:...> route says
            return problem(problem_body(404, "there is no such book", slug="not-found"))
        status = 422 if "body" in places else 400  # a bad query string is a bad request
        # the first item of FastAPI's loc is where the value came from, not a key inside it
        inside = [{**item, "loc": tuple(item["loc"][1:])} for item in errors]
        return problem(body_of(validation_problem(inside, status=status)))

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)  # every pooled connection busy: an overload, not a bug
    async def database_down(_request: Request, error: Exception) -> JSONResponse:
        logger.error("database unavailable: %s", error)
        body = problem_body(503, "the database is unavailable; retry later", slug="unavailable")
        return problem(body, {"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _error: Exception) -> JSONResponse:
        logger.exception("unhandled error")  # the traceback goes to the log, never the client
        return problem(internal_error_body())


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the FastAPI app for these settings (the course's services by default)."""
    settings = settings or settings_from_course()
    resources = open_resources(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        resources.close()  # at server shutdown: close the pooled connections

    app = FastAPI(title="Bookshop API", version="1.0.0", lifespan=lifespan)
    app.state.resources = resources
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, cover_max_bytes=settings.max_cover_bytes
    )
    app.add_middleware(RateLimit, limiter=resources.limiter)  # outside BodySizeLimit: 429 first
    app.add_middleware(
        NarrowCORS,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Content-Type", "If-Match", "If-None-Match", "Idempotency-Key"],
        expose_headers=["ETag", "Location", "Link", "Retry-After"],
        max_age=600,
    )
    install_error_handlers(app)
    app.include_router(router, prefix="/api/v1")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}  # liveness: the process answers; no dependency is checked

    @app.get("/ready")
    def ready(resources: Resources = Depends(get_resources)) -> JSONResponse:  # noqa: B008
        checks = readiness(resources)
        if all(state == "ok" for state in checks.values()):
            return JSONResponse({"status": "ready", "checks": checks})
        return problem(problem_body(503, "a dependency is down", checks=checks))

    return app


def openapi_schema() -> dict[str, Any]:
    """The API's OpenAPI schema, as `/openapi.json` serves it; no service is needed for it."""
    # an app is built only for its routes: the engine and Redis client never connect
    unused = ApiSettings(database_url="postgresql+psycopg://", redis_url="redis://127.0.0.1:1")
    app = create_app(unused)
    try:
        return app.openapi()
    finally:
        app.state.resources.close()


def main() -> None:
    import uvicorn
    from api_models import create_schema

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    arguments = parser.parse_args()
    course.require("postgres", "redis")  # a stopped service: one clear line, not a traceback
    logging.basicConfig(level=logging.INFO)
    app = create_app()
    create_schema(app.state.resources.engine)
    print(f"Bookshop API (FastAPI) on http://127.0.0.1:{arguments.port}/docs; Ctrl-C stops it")
    uvicorn.run(app, host="127.0.0.1", port=arguments.port)


if __name__ == "__main__":
    main()
