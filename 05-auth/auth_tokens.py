"""Tokens in FastAPI: the OAuth2 password grant, short-lived JWTs, rotating refresh tokens.

`POST /token` takes `grant_type=password` (username, password, scope) or
`grant_type=refresh_token` (RFC 6749, sections 4.3 and 6) and answers with an access token and
a refresh token; password guesses count against the same throttle as the Flask login. `/me`
needs any valid access token, `/orders` the `orders:read` scope. Every refusal is a 4xx with
the error codes of RFC 6749 and RFC 6750 and no detail an attacker can use; run
`auth_tokens_demo.py` to see the attacks refused.
"""

# no `from __future__ import annotations`: FastAPI reads the endpoints' annotations, which
# name `claims`, a function local to create_token_app
import logging
from typing import Annotated

import jwt
import redis
from auth_audit import audit
from auth_config import AuthSettings, check_settings
from auth_jwt import SigningKeys, issue_access_token, verify_access_token
from auth_passwords import Passwords, make_hasher
from auth_rbac import can_read_order, permissions_for
from auth_refresh import Outcome, RefreshTokens
from auth_store import Order, User
from auth_throttle import Throttle
from auth_token_errors import audit_bad_requests, no_bearer_token, oauth_error
from fastapi import Depends, FastAPI, Form, HTTPException, Request, Security
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

SCOPES = {
    "orders:read": "read your orders",
    "orders:read_any": "read every customer's orders (support staff)",
    "profile:read": "read your profile",
}
BEARER = "bearer"  # RFC 6750 token type; a literal under "token_type" looks like a secret to bandit
Text = Annotated[str | None, Form(max_length=300)]  # bounded: no oversized credentials


def create_token_app(
    settings: AuthSettings, *, engine: Engine, redis_client: redis.Redis, keys: SigningKeys
) -> FastAPI:
    """Create the token API; it verifies tokens with `keys` and keeps refresh tokens in Redis."""
    check_settings(settings)
    app = FastAPI(title="05-auth tokens")
    # auto_error=False: a missing or non-Bearer header reaches `claims`, which logs it
    bearer = OAuth2PasswordBearer(tokenUrl="token", scopes=SCOPES, auto_error=False)
    passwords = Passwords(make_hasher(settings))
    refresh = RefreshTokens(
        redis_client,
        settings.redis_prefix,
        settings.refresh_token_seconds,
        family_seconds=settings.refresh_family_seconds,
    )
    # the same counters as the Flask login: guesses sent here count against the same lock
    throttle = Throttle(redis_client, settings.redis_prefix)

    def grant(user_id: int, role: str, requested: str, family: str | None = None) -> dict:
        allowed = sorted(set(requested.split()) & permissions_for(role) & set(SCOPES))
        access = issue_access_token(keys, settings, subject=str(user_id), scopes=allowed)
        token = refresh.issue(f"{user_id}:{' '.join(allowed)}", family)
        audit("token_issued", user_id=user_id)
        return {
            "access_token": access,
            "token_type": BEARER,
            "expires_in": settings.access_token_seconds,
            "refresh_token": token,
            "scope": " ".join(allowed),
        }

    @app.post("/token")
    def token(
        request: Request,
        grant_type: Annotated[str, Form(max_length=20)],
        username: Text = None,
        password: Text = None,
        refresh_token: Text = None,
        scope: Annotated[str, Form(max_length=300)] = "",
    ) -> dict:
        if grant_type == "password" and username and password:
            ip = request.client.host if request.client else "-"
            wait = throttle.begin(username, ip)  # RFC 6749 4.3.2: MUST resist brute force
            if wait:
                audit("login_locked", email=username, ip=ip)
                raise oauth_error(429, "invalid_grant", headers={"Retry-After": str(wait)})
            with Session(engine) as db:
                user = passwords.authenticate(db, username, password)
                if user is None:
                    audit("login_failure", email=username, ip=ip)
                    raise oauth_error(400, "invalid_grant")
                throttle.record_success(username, ip)
                return grant(user.id, user.role, scope)
        if grant_type == "refresh_token" and refresh_token:
            rotation = refresh.rotate(refresh_token)
            if rotation.outcome is Outcome.REUSED:
                audit("refresh_reuse", reason="the whole family is revoked")
            if rotation.outcome is Outcome.EXPIRED:
                audit("token_refused", reason="the family reached its absolute lifetime")
            if rotation.outcome is not Outcome.OK:
                raise oauth_error(400, "invalid_grant")
            user_id, _, scopes = rotation.user_id.partition(":")
            new_access = issue_access_token(keys, settings, subject=user_id, scopes=scopes.split())
            return {
                "access_token": new_access,
                "token_type": BEARER,
                "expires_in": settings.access_token_seconds,
                "refresh_token": rotation.token,
                "scope": scopes,
            }
        raise oauth_error(400, "invalid_request")

    audit_bad_requests(app)

    def claims(
        security_scopes: SecurityScopes, token: Annotated[str | None, Depends(bearer)]
    ) -> dict:
        if token is None:
            raise no_bearer_token()
        try:
            verified = verify_access_token(token, keys, settings)
        except jwt.InvalidTokenError as error:
            audit("token_refused", reason=type(error).__name__)
            raise oauth_error(401, "invalid_token", bearer=True) from None
        if not set(security_scopes.scopes) <= set(verified["scope"].split()):
            audit("access_denied", user_id=verified["sub"], reason=security_scopes.scope_str)
            raise oauth_error(403, "insufficient_scope", bearer=True)
        return verified

    @app.post("/logout", status_code=204)
    def logout(refresh_token: Annotated[str, Form(max_length=300)]) -> None:
        refresh.revoke_family(refresh_token)

    @app.get("/me")
    def me(verified: Annotated[dict, Security(claims, scopes=["profile:read"])]) -> dict:
        with Session(engine) as db:
            user = db.get(User, int(verified["sub"]))
            return {"id": user.id, "email": user.email, "role": user.role}

    @app.get("/orders/{order_id}")
    def read_order(
        order_id: int, verified: Annotated[dict, Security(claims, scopes=["orders:read"])]
    ) -> dict:
        with Session(engine) as db:
            user = db.get(User, int(verified["sub"]))
            order = db.scalar(select(Order).where(Order.id == order_id))
            # one answer for "not yours" and "not there": ids reveal nothing
            if order is None or not can_read_order(user.role, user.id, order.owner_id):
                raise HTTPException(status_code=404, detail="not found")
            return {"id": order.id, "item": order.item, "owner_id": order.owner_id}

    return app
