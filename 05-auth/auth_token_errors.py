"""The token API's refusals: RFC 6749/6750 error codes, and bad requests in the audit log.

Each refusal says what the standard says and nothing more: an error code, and for a bearer
token the `WWW-Authenticate` header. Requests FastAPI refuses before any endpoint runs
(oversized or missing fields, 422) and requests with no bearer token at all are logged too,
so the audit log sees malformed input as well as wrong input.
"""

from __future__ import annotations

from auth_audit import audit
from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError


def oauth_error(
    status: int, error: str, *, bearer: bool = False, headers: dict | None = None
) -> HTTPException:
    """Return an HTTPException with an RFC 6749/6750 error code and nothing more."""
    if bearer:
        headers = {"WWW-Authenticate": f'Bearer error="{error}"'}
    return HTTPException(status_code=status, detail={"error": error}, headers=headers)


def no_bearer_token() -> HTTPException:
    """Log and return the 401 for a request without a bearer token (no error code: RFC 6750 3.1)."""
    audit("token_refused", reason="no bearer token")
    return HTTPException(401, detail="Not authenticated", headers={"WWW-Authenticate": "Bearer"})


def audit_bad_requests(app: FastAPI) -> None:
    """Log every request FastAPI refuses as invalid (422), then answer as FastAPI does."""

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError):
        client = request.client.host if request.client else "-"  # behind a proxy: see part 4b
        audit("bad_request", path=request.url.path, ip=client)
        return await request_validation_exception_handler(request, error)
