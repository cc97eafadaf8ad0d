"""A small OAuth 2.0 authorization server for the lesson, built with Authlib's server side.

It is the "external provider" of "log in with...": one registered public client, its exact
redirect URIs, users who log in on the provider's own page (with a CSRF token), the
authorization code grant with PKCE required (S256 only), codes that live a minute and work
once, a `/userinfo` endpoint, and OpenID Connect's ID tokens, discovery and keys
(`auth_oidc_provider.py`). Its state is kept in memory: it is a real server over real HTTP,
but a toy in what it remembers (one process, nothing persisted).
"""

from __future__ import annotations

import secrets
import time
from typing import ClassVar

from auth_jwt import SigningKeys, generate_signing_keys
from auth_oauth_records import IssuedCode, PublicClient
from auth_oidc_provider import ProviderOpenID, add_discovery
from auth_passwords import Passwords
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, abort, render_template_string, request
from flask_wtf.csrf import CSRFProtect

__all__ = ["IssuedCode", "PublicClient", "create_provider_app"]

CONSENT = """<!doctype html><title>Provider login</title>
<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<p>{{ client_id }} asks to read your profile.</p>
<input name="username"> <input name="password" type="password"> <button>Allow</button></form>"""


def create_provider_app(
    passwords: Passwords,
    users: dict[str, str],
    client: PublicClient,
    code_seconds: float = 60,
    keys: SigningKeys | None = None,
) -> Flask:
    """Create the provider; `users` maps a user name to an Argon2id hash; `keys` sign ID tokens."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secrets.token_urlsafe(32))
    csrf = CSRFProtect(app)
    codes: dict[str, IssuedCode] = {}
    tokens: dict[str, dict] = {}
    nonces: set[str] = set()  # every nonce that got a code: a second request with one is refused
    keys = keys or generate_signing_keys()

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar = ["none"]  # public client: PKCE instead of a secret

        def save_authorization_code(self, code: str, oauth_request) -> None:
            data, nonce = oauth_request.payload.data, oauth_request.payload.data.get("nonce")
            codes[code] = IssuedCode(
                code, client.client_id, oauth_request.payload.redirect_uri, oauth_request.scope,
                oauth_request.user, data.get("code_challenge"), data.get("code_challenge_method"),
                time.time() + code_seconds,  # RFC 6749 4.1.2: short-lived, 10 minutes at most
                nonce, int(time.time()),
            )  # fmt: skip
            if nonce:
                nonces.add(nonce)

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
    server.register_grant(CodeGrant, [pkce, ProviderOpenID(app, keys, nonces)])
    add_discovery(app, keys)

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
