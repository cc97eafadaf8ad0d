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

from api_fastapi_books import get_resources, router
from api_fastapi_covers import covers_router
from api_fastapi_middleware import BodySizeLimit, NarrowCORS, RateLimit, problem
from api_problems import (
    ApiProblem,
    body_of,
    internal_error_body,
    problem_body,
    validation_problem,
)
from api_resources import Resources, open_resources, readiness
from api_settings import ApiSettings, settings_from_course
from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.routing import Match

import course

logger = logging.getLogger(__name__)

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")  # OPTIONS: the 405 handler


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
    app.include_router(covers_router, prefix="/api/v1")

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
