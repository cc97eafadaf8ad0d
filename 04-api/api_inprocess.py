"""Both apps in this process, behind one kind of client: no server, no port, real requests.

The demo, the notebook and the tests call the apps through an `httpx2.Client`: Flask's over
httpx2's WSGI transport, FastAPI's through Starlette's `TestClient` (an `httpx2.Client` that
runs the app on an event loop in a helper thread). Each request goes through the whole app:
routing, validation, error handlers, middleware, the database and Redis.
"""

from __future__ import annotations

from collections.abc import Callable

import api_fastapi
import api_flask
import httpx2
from api_settings import ApiSettings
from fastapi.testclient import TestClient

FRAMEWORKS = ("fastapi", "flask")


def open_client(framework: str, settings: ApiSettings) -> tuple[httpx2.Client, Callable[[], None]]:
    """A client for one app on these settings, and the function that closes the app's pools."""
    if framework == "flask":
        flask_app = api_flask.create_app(settings)
        transport = httpx2.WSGITransport(app=flask_app)
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
