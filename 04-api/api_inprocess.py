"""Both apps in this process, behind one kind of client: no server, no port, real requests.

The demo, the notebook and the tests call the apps through an `httpx2.Client`: Flask's over
httpx2's WSGI transport, FastAPI's through Starlette's `TestClient` (an `httpx2.Client` that
runs the app on an event loop in a helper thread). Each request goes through the whole app:
routing, validation, error handlers, middleware, the database and Redis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import api_fastapi
import api_flask
import httpx2
from api_settings import ApiSettings
from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

FRAMEWORKS = ("fastapi", "flask")


def latin1_path(app: WSGIApplication) -> WSGIApplication:
    """The app, given PATH_INFO as a server gives it: the path's bytes read as latin-1."""

    # httpx2's WSGI transport hands over the decoded text, which Werkzeug cannot re-encode
    # for a non-latin-1 character; PEP 3333 says "native strings" carry the raw bytes
    def app_with_latin1_path(environ: WSGIEnvironment, start_response: StartResponse):
        environ["PATH_INFO"] = environ["PATH_INFO"].encode().decode("latin-1")
        return app(environ, start_response)

    return app_with_latin1_path


def open_client(framework: str, settings: ApiSettings) -> tuple[httpx2.Client, Callable[[], None]]:
    """A client for one app on these settings, and the function that closes the app's pools."""
    if framework == "flask":
        flask_app = api_flask.create_app(settings)
        transport = httpx2.WSGITransport(app=latin1_path(flask_app))
        client = httpx2.Client(transport=transport, base_url="http://testserver")
        return client, flask_app.extensions["api"].close
    fastapi_app = api_fastapi.create_app(settings)
    # server errors answered as the 500 a real server sends, not raised into the caller
    client = TestClient(fastapi_app, raise_server_exceptions=False)
    # entered once: one event loop thread serves every request of this client, and the
    # app's lifespan runs (leaving it closes the pools)
    client.__enter__()

    def close() -> None:
        client.__exit__(None, None, None)

    return client, close
