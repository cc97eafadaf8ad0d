"""Log in with an external provider: the OAuth 2.0 authorization code flow with PKCE.

The client side, with Authlib's `OAuth2Session` (requests): `start_login` makes the URL the
browser is sent to, with a random `state` (against login CSRF) and a PKCE challenge (RFC
7636: the code is useless without the verifier only this client holds); `finish_login`
checks the `state` that comes back, exchanges the code with the verifier, and reads the
user's identity. `serve_locally` runs the lesson's provider (`auth_oauth_provider.py`) on
127.0.0.1 over real HTTP. Run it to see a login, then each attack refused.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

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


def oauth_session(client_id: str, redirect_uri: str, state: str | None = None) -> OAuth2Session:
    """Return an Authlib client for a public client (no secret: PKCE instead)."""
    return OAuth2Session(
        client_id,
        redirect_uri=redirect_uri,
        scope="profile",
        state=state,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )


def start_login(provider: str, client_id: str, redirect_uri: str) -> LoginStart:
    """Return the provider URL to send the browser to, with its state and PKCE verifier."""
    verifier = generate_token(64)  # 43 to 128 characters (RFC 7636, section 4.1)
    client = oauth_session(client_id, redirect_uri)
    url, state = client.create_authorization_url(f"{provider}/authorize", code_verifier=verifier)
    return LoginStart(url=url, state=state, code_verifier=verifier)


def finish_login(
    provider: str, client_id: str, redirect_uri: str, callback_url: str, start: LoginStart
) -> dict:
    """Check the state, exchange the code with the verifier, and return the user's identity."""
    client = oauth_session(client_id, redirect_uri, state=start.state)
    # fetch_token compares the callback's state with ours: MismatchingStateException if not
    client.fetch_token(
        f"{provider}/token", authorization_response=callback_url, code_verifier=start.code_verifier
    )
    return client.get(f"{provider}/userinfo").json()


@contextmanager
def serve_locally(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 on a free port in a thread; yield its base URL."""
    # Authlib refuses plain HTTP, rightly; the lesson's provider runs on loopback only, where
    # there is no network to eavesdrop on. Never set this for a server others can reach.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
