"""The FastAPI app's ASGI middleware: what runs before any route, in Starlette's order.

Outermost first: CORS (narrowed, so another origin gets no CORS header at all, as in Flask),
then the rate limit (counted before anything reads the body), then the body size limit (a
413 whether the body declares its length or streams). Flask does the same with Flask-CORS,
`before_request` and `MAX_CONTENT_LENGTH`.
"""

from __future__ import annotations

from typing import Any

import anyio
from api_problems import PROBLEM_JSON, problem_body
from api_ratelimit import RateLimiter
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


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
