"""A small OAuth 2.0 authorization server for the lesson, built with Authlib's server side.

It is the "external provider" of "log in with...": one registered public client, its exact
redirect URIs, users who log in on the provider's own page (with a CSRF token), the
authorization code grant with PKCE required (S256 only), codes that live a minute and work
once, and a `/userinfo` endpoint. Its state is kept in memory: it is a real server over real
HTTP, but a toy in what it remembers (one process, nothing persisted).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import ClassVar

from auth_passwords import Passwords
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, abort, render_template_string, request
from flask_wtf.csrf import CSRFProtect

CONSENT = """<!doctype html><title>Provider login</title>
<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<p>{{ client_id }} asks to read your profile.</p>
<input name="username"> <input name="password" type="password"> <button>Allow</button></form>"""


@dataclass
class PublicClient(ClientMixin):
    """A registered client without a secret (a browser or mobile app): PKCE protects its code."""

    client_id: str
    redirect_uris: list[str]
    scope: str = "profile"

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in self.scope.split())

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact match: no prefixes, no wildcards

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class IssuedCode:
    """An authorization code, as the provider remembers it until it is used."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    code_challenge: str
    code_challenge_method: str
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


def create_provider_app(
    passwords: Passwords, users: dict[str, str], client: PublicClient, code_seconds: float = 60
) -> Flask:
    """Create the provider; `users` maps a user name to an Argon2id hash."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secrets.token_urlsafe(32))
    csrf = CSRFProtect(app)
    codes: dict[str, IssuedCode] = {}
    tokens: dict[str, dict] = {}

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar = ["none"]  # public client: PKCE instead of a secret

        def save_authorization_code(self, code: str, oauth_request) -> None:
            codes[code] = IssuedCode(
                code, client.client_id, oauth_request.payload.redirect_uri, oauth_request.scope,
                oauth_request.user, oauth_request.payload.data.get("code_challenge"),
                oauth_request.payload.data.get("code_challenge_method"),
                time.time() + code_seconds,  # RFC 6749 4.1.2: short-lived, 10 minutes at most
            )  # fmt: skip

        def query_authorization_code(self, code: str, queried_client) -> IssuedCode | None:
            found = codes.get(code)
            if (
                found
                and found.client_id == queried_client.client_id
                and time.time() < found.expires_at
            ):
                return found
            return None

        def delete_authorization_code(self, authorization_code: IssuedCode) -> None:
            codes.pop(authorization_code.code, None)  # single use: a second exchange finds nothing

        def authenticate_user(self, authorization_code: IssuedCode) -> str:
            return authorization_code.user

    def save_token(token: dict, oauth_request) -> None:
        tokens[token["access_token"]] = {"sub": oauth_request.user, "expires": time.time() + 300}

    server = AuthorizationServer(
        app,
        query_client=lambda cid: client if cid == client.client_id else None,
        save_token=save_token,
    )
    pkce = CodeChallenge(required=True)
    pkce.SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # "plain" would send the verifier itself
    server.register_grant(CodeGrant, [pkce])

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
        try:
            # refuses an unknown client or redirect URI *before* redirecting anywhere
            grant = server.get_consent_grant(end_user=None)
        except OAuth2Error as error:  # one line, and no redirect to an unchecked URI
            return {"error": error.error}, 400
        if request.method == "GET":
            return render_template_string(CONSENT, client_id=client.client_id)
        username = request.form.get("username", "")
        stored = users.get(username, passwords.dummy_hash)
        if not passwords.verify(stored, request.form.get("password", "")) or username not in users:
            return render_template_string(CONSENT, client_id=client.client_id), 401
        grant.request.user = username
        return server.create_authorization_response(grant_user=username, grant=grant)

    @app.post("/token")
    @csrf.exempt  # called by the client's back end, authenticated by PKCE, not by a cookie
    def issue_token():
        return server.create_token_response()

    @app.get("/userinfo")
    def userinfo():
        token = tokens.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
        if token is None or token["expires"] < time.time():
            abort(401)
        return {"sub": token["sub"]}

    return app
