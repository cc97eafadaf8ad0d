"""Log in with an external provider: the OAuth 2.0 authorization code flow with PKCE.

The client side, with Authlib's `OAuth2Session` (requests): `start_login` makes the URL the
browser is sent to, with a random `state` (against login CSRF) and a PKCE challenge (RFC
7636: the code is useless without the verifier only this client holds); `finish_login`
checks the `state` that comes back, exchanges the code with the verifier, and believes the
user's identity only from the ID token, verified (OpenID Connect: `auth_oidc.py`), whose
`nonce` must be the one this login sent. `serve_locally` runs the lesson's provider
(`auth_oauth_provider.py`) on 127.0.0.1 over real HTTP. `auth_oauth_demo.py` shows a login,
then each attack refused.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import jwt
from auth_oidc import discover, verify_id_token
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from flask import Flask
from werkzeug.serving import make_server


@dataclass(frozen=True)
class LoginStart:
    """What the client keeps (in the user's session) between sending and getting them back."""

    url: str
    state: str
    code_verifier: str
    nonce: str = ""  # OpenID Connect: the ID token must carry it back


def oauth_session(client_id: str, redirect_uri: str, state: str | None = None) -> OAuth2Session:
    """Return an Authlib client for a public client (no secret: PKCE instead)."""
    return OAuth2Session(
        client_id,
        redirect_uri=redirect_uri,
        scope="openid profile",
        state=state,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",  # nosec B106  # an auth method's name, not a password
    )


def start_login(provider: str, client_id: str, redirect_uri: str) -> LoginStart:
    """Return the provider URL to send the browser to, with its state and PKCE verifier."""
    verifier = generate_token(64)  # 43 to 128 characters (RFC 7636, section 4.1)
    nonce = generate_token(32)  # ties the ID token to this login
    client = oauth_session(client_id, redirect_uri)
    endpoint = discover(provider)["authorization_endpoint"]
    url, state = client.create_authorization_url(endpoint, code_verifier=verifier, nonce=nonce)
    return LoginStart(url=url, state=state, code_verifier=verifier, nonce=nonce)


def finish_login(
    provider: str, client_id: str, redirect_uri: str, callback_url: str, start: LoginStart
) -> dict:
    """Check the state, exchange the code with the verifier; return the verified ID token."""
    config = discover(provider)
    client = oauth_session(client_id, redirect_uri, state=start.state)
    # fetch_token compares the callback's state with ours: MismatchingStateException if not
    token = client.fetch_token(
        config["token_endpoint"], authorization_response=callback_url,
        code_verifier=start.code_verifier,
    )  # fmt: skip
    return verify_id_token(
        token["id_token"], issuer=provider, client_id=client_id, nonce=start.nonce,
        jwks=jwt.PyJWKClient(config["jwks_uri"], timeout=5),
    )  # fmt: skip


@contextmanager
def serve_locally(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 on a free port in a thread; yield its base URL."""
    # Authlib refuses plain HTTP, rightly; the lesson's provider runs on loopback only, where
    # there is no network to eavesdrop on. Never set this for a server others can reach.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["OIDC_ISSUER"] = url  # a provider's issuer is the exact URL it is served at
    # a short poll: shutdown() waits for it, and the tests start and stop many servers
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join()
