"""Fixtures for the 05-auth tests: cheap Argon2id, the two apps, and a browser-like client.

Argon2id is slow on purpose (64 MiB and three passes in the demos); these tests use its
smallest parameters (8 KiB, one pass), which keep every behaviour and cost microseconds.
The parameters are settings, so the code under test is the code the demos run.

The user store is one PostgreSQL database per test worker, created once and emptied
(TRUNCATE) before every test: a worker runs one test at a time, so each test still starts
from empty tables, and it costs milliseconds where a fresh database costs half a second.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from auth_config import AuthSettings
from auth_jwt import generate_signing_keys
from auth_sessions import create_session_app
from auth_store import create_schema, make_engine
from auth_tokens import create_token_app
from fastapi.testclient import TestClient
from sqlalchemy import text

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "a long passphrase nobody guesses"


@pytest.fixture(scope="session")
def worker_database(settings) -> str:
    """One database for this test worker, with the lesson's tables, dropped at the end."""
    from course.sandbox import temporary_postgres_database
    from course.services.probes import SERVICES, ServiceUnavailable

    try:
        SERVICES["postgres"].check(settings)
    except ServiceUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    with temporary_postgres_database(settings, prefix="test_auth") as url:
        engine = make_engine(url)
        create_schema(engine)
        engine.dispose()
        yield url


@pytest.fixture
def database_url(worker_database: str) -> str:
    """The worker's database, emptied: every test starts with no users, tokens or orders."""
    engine = make_engine(worker_database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "TRUNCATE auth_orders, auth_recovery_codes, auth_reset_tokens, auth_users"
                " RESTART IDENTITY CASCADE"
            )
        )
    engine.dispose()
    return worker_database


@pytest.fixture
def auth_settings(database_url: str, redis_url: str) -> AuthSettings:
    """The lesson's settings on the test's own database, with the cheapest Argon2id."""
    return AuthSettings(
        database_url=database_url,
        redis_url=redis_url,
        secret_key="a test secret of more than thirty-two bytes",
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
    )


@pytest.fixture
def auth_engine(auth_settings: AuthSettings):
    """An engine on the test's database, with the lesson's tables."""
    engine = make_engine(auth_settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def auth_redis(redis_url: str):
    """A Redis client on the test's own logical database."""
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def session_app(auth_settings, auth_engine, auth_redis):
    """The Flask app of part 2."""
    return create_session_app(auth_settings, engine=auth_engine, redis_client=auth_redis)


class Browser:
    """A test client that talks HTTPS and posts forms with their CSRF token, like a browser."""

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.test_client()
        self.client.environ_base["wsgi.url_scheme"] = "https"  # Secure cookies need HTTPS

    def get(self, path: str):
        """GET a page."""
        return self.client.get(path)

    def post(self, path: str, data: dict):
        """POST raw form data (no CSRF token unless given)."""
        return self.client.post(path, data=data)

    def csrf_token(self, path: str) -> str:
        """Load a page with a form and return its CSRF token."""
        page = self.client.get(path).get_data(as_text=True)
        match = CSRF_FIELD.search(page)
        assert match, f"no CSRF token in {path}"
        return match.group(1)

    def post_form(self, path: str, form_page: str | None = None, **fields):
        """Post a form with the CSRF token its page carried."""
        token = self.csrf_token(form_page or path)
        return self.client.post(path, data={"csrf_token": token, **fields})

    def register_and_login(self, email: str, password: str = PASSWORD):
        """Register an account and log in with it; return the login response."""
        self.post_form("/register", email=email, password=password)
        return self.post_form("/login", email=email, password=password)

    @property
    def session_cookie(self) -> str | None:
        """The session cookie's value (the session id), if any."""
        cookie = self.client.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        return cookie.value if cookie else None

    @session_cookie.setter
    def session_cookie(self, value: str) -> None:
        self.client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], value, secure=True)


@pytest.fixture
def new_browser(session_app):
    """Return a factory of fresh browsers on the Flask app."""
    return lambda: Browser(session_app)


@pytest.fixture
def browser_on() -> Callable:
    """Return a factory of fresh browsers on an app a test made itself."""
    return Browser


@pytest.fixture
def password() -> str:
    """A password the policy accepts."""
    return PASSWORD


@pytest.fixture(scope="session")
def signing_keys():
    """One RSA key pair for the session: generating one takes tens of milliseconds."""
    return generate_signing_keys()


@pytest.fixture
def token_client(auth_settings, auth_engine, auth_redis, signing_keys):
    """A client of the FastAPI token app of part 3a."""
    app = create_token_app(
        auth_settings, engine=auth_engine, redis_client=auth_redis, keys=signing_keys
    )
    with TestClient(app) as client:
        yield client


@pytest.fixture
def race() -> Callable:
    """Return a runner that calls `attempt(number)` from `threads` threads released at once."""

    def run(attempt: Callable, threads: int = 8) -> list:
        barrier = threading.Barrier(threads)

        def at_once(number: int):
            barrier.wait(timeout=10)  # every thread starts together: the window of a race
            return attempt(number)

        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(at_once, range(threads)))

    return run
