"""Running for real: settings from the environment, and a graceful stop on SIGTERM.

The SIGTERM test is the one that matters in production: every deploy, scale-down and
restart sends it, and a request in flight at that moment must still get its answer.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
from api_serve import main, server_command
from api_serve_process import running_server, wait_for_sleeping_query
from api_serve_settings import ConfigError, ServeSettings, environment_of, settings_from_environment
from api_settings import ApiSettings

URLS = {"DATABASE_URL": "postgresql+psycopg://u:p@db/shop", "REDIS_URL": "redis://cache:6379/0"}


def test_every_setting_comes_from_the_environment():
    environ = URLS | {"API_RATE_LIMIT": "7", "API_JOBS_QUEUE": "q", "API_DEMO_ROUTES": "true"}

    settings = settings_from_environment(environ)

    assert settings.api.database_url == URLS["DATABASE_URL"]
    assert settings.api.redis_url == URLS["REDIS_URL"]
    assert (settings.api.rate_limit, settings.jobs_queue, settings.demo_routes) == (7, "q", True)
    assert settings_from_environment(environment_of(settings)) == settings, "a round trip"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("API_RATE_LIMIT", "lots", "API_RATE_LIMIT must be a whole number >= 1, got 'lots'"),
        ("API_RATE_LIMIT", "0", "API_RATE_LIMIT must be a whole number >= 1, got '0'"),
        ("API_DEMO_ROUTES", "maybe", "API_DEMO_ROUTES must be 1 or 0 (true/false), got 'maybe'"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must start with postgresql, got 'mysql://x'"),
    ],
)
def test_a_malformed_setting_fails_fast_naming_the_variable(name, value, message):
    with pytest.raises(ConfigError) as caught:
        settings_from_environment(URLS | {name: value})
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("DATABASE_URL", "mysql://u:s3cret@db/shop", "'mysql://u:***@db/shop'"),
        ("REDIS_URL", "memcached://:s3cret@cache:11211", "'memcached://:***@cache:11211'"),
    ],
)
def test_a_refused_url_never_shows_its_password(name, value, shown):
    with pytest.raises(ConfigError) as caught:
        settings_from_environment(URLS | {name: value})
    assert "s3cret" not in str(caught.value), "the error goes to the release log"
    assert str(caught.value).endswith(f"got {shown}")


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_a_platform_database_url_gets_the_course_driver(scheme):
    # Heroku Postgres hands out postgres://, which SQLAlchemy refuses; the image has psycopg
    environ = URLS | {"DATABASE_URL": f"{scheme}://u:p@db:5432/shop"}
    settings = settings_from_environment(environ)
    assert settings.api.database_url == "postgresql+psycopg://u:p@db:5432/shop"


def test_the_server_command_refuses_a_bad_setting_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["api_serve.py", "flask"])
    for name, value in (URLS | {"API_CACHE_SECONDS": "soon"}).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 2
    error = capsys.readouterr().err
    assert error == "error: API_CACHE_SECONDS must be a whole number >= 0, got 'soon'\n"


def test_a_worker_count_below_one_is_refused_not_replaced_by_the_default(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["api_serve.py", "flask", "--workers", "0"])
    for name, value in URLS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(os, "execv", lambda *_: pytest.fail("a server started with 0 workers"))
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 2
    assert capsys.readouterr().err == "error: --workers must be a whole number >= 1, got 0\n"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "abc", "error: PORT must be a whole number >= 1, got 'abc'\n"),
        ("WEB_CONCURRENCY", "x", "error: WEB_CONCURRENCY must be a whole number >= 1, got 'x'\n"),
    ],
)
def test_a_bad_platform_variable_is_one_line_not_a_traceback(
    monkeypatch, capsys, name, value, message
):
    monkeypatch.setattr(sys, "argv", ["api_serve.py", "flask"])
    for key, setting in (URLS | {name: value}).items():
        monkeypatch.setenv(key, setting)
    monkeypatch.setattr(os, "execv", lambda *_: pytest.fail("a server started"))
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 2
    assert capsys.readouterr().err == message


def test_worker_count_and_port_take_spaces_as_gunicorn_and_uvicorn_do(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["api_serve.py", "flask"])
    for key, setting in (URLS | {"WEB_CONCURRENCY": " 3", "PORT": "8123 "}).items():
        monkeypatch.setenv(key, setting)
    started = []
    monkeypatch.setattr(os, "execv", lambda _, command: started.append(command))
    main()
    assert started[0][started[0].index("--workers") + 1] == "3"
    assert "127.0.0.1:8123" in started[0]


def test_migrate_without_postgresql_says_so_in_one_line(monkeypatch, capsys):
    from api_serve_process import free_port

    monkeypatch.setattr(sys, "argv", ["api_serve.py", "migrate"])
    nowhere = f"postgresql+psycopg://u:s3cret@127.0.0.1:{free_port()}/shop?connect_timeout=2"
    for key, setting in (URLS | {"DATABASE_URL": nowhere}).items():
        monkeypatch.setenv(key, setting)
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("error: PostgreSQL does not answer at 127.0.0.1:"), error
    assert error.count("\n") == 1 and "s3cret" not in error


def test_uvicorn_behind_a_proxy_needs_the_proxys_address(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["api_serve.py", "fastapi"])
    for name, value in (URLS | {"API_PROXY_HOPS": "1"}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    monkeypatch.setattr(os, "execv", lambda *_: pytest.fail("uvicorn would trust only itself"))
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 2
    assert capsys.readouterr().err.startswith("error: API_PROXY_HOPS is applied to the Flask")


def test_each_framework_gets_its_production_server():
    flask = server_command("flask", port=1, workers=3)
    fastapi = server_command("fastapi", port=1, workers=1)
    assert flask[1:3] == ["-m", "gunicorn"] and flask[-1] == "api_serve:flask_app()"
    assert fastapi[1:3] == ["-m", "uvicorn"] and fastapi[-1] == "api_serve:fastapi_app"
    assert flask[flask.index("--workers") + 1] == "3"
    with pytest.raises(ValueError, match="unknown framework 'django'"):
        server_command("django", port=1, workers=1)


def procfile_web_line() -> list[str]:
    """The Procfile's `web:` command, run with this test's Python."""
    procfile = Path(__file__).resolve().parents[1] / "deploy" / "Procfile"
    line = next(line for line in procfile.read_text().splitlines() if line.startswith("web: "))
    python, *arguments = shlex.split(line.removeprefix("web: "))
    assert python == "python", line
    return [sys.executable, *arguments]


GRACE_SECONDS = 3  # the test's graceful timeout: a 2 s request fits in it, a 5 s one does not


def slow_get(base_url: str, seconds: float) -> httpx2.Response | httpx2.HTTPError:
    """GET /demo/slow; the error if the connection closed without an answer."""
    try:
        return httpx2.get(f"{base_url}/demo/slow?seconds={seconds}", timeout=10)
    except httpx2.HTTPError as error:
        return error


def queued_request(base_url: str) -> socket.socket:
    """A request sent on a connection the kernel accepted and no worker has taken yet."""
    url = httpx2.URL(base_url)
    connection = socket.create_connection((url.host, url.port))  # in the backlog once this returns
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    connection.settimeout(10)
    return connection


def answer_to(connection: socket.socket) -> bytes:
    """What came back on the connection: nothing if it was closed or reset unanswered."""
    with connection:
        try:
            return connection.recv(65536)
        except ConnectionResetError:
            return b""


@pytest.mark.parametrize("framework", ["flask", "fastapi"])
def test_sigterm_lets_a_request_finish_then_cuts_one_past_the_graceful_timeout(
    framework, worker_database, redis_url
):
    settings = ServeSettings(
        api=ApiSettings(database_url=worker_database[0], redis_url=redis_url), demo_routes=True
    )
    outcomes: dict[float, httpx2.Response | httpx2.HTTPError] = {}
    environment = environment_of(settings)
    workers = 2 if framework == "flask" else 1  # two sync workers; one event loop, two threads
    # flask starts as a platform starts it: the Procfile's `web:` line, main() then os.execv
    entrypoint = procfile_web_line() if framework == "flask" else ()
    with running_server(
        framework,
        workers=workers,
        environment=environment,
        graceful_seconds=GRACE_SECONDS,
        entrypoint=entrypoint,
    ) as server:
        if entrypoint:  # the pid that gets SIGTERM must be gunicorn's master, not a Python parent
            assert b"gunicorn" in Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
        requests = [
            threading.Thread(target=lambda s=s: outcomes.update({s: slow_get(server.base_url, s)}))
            for s in (2, 5)  # 2 s, not 1: the short one must still run when SIGTERM comes
        ]
        for request in requests:
            request.start()
        wait_for_sleeping_query(worker_database[0], count=2)  # both are inside their handler
        # every sync worker is busy: a third request waits in the listening socket's backlog
        waiting = queued_request(server.base_url) if framework == "flask" else None

        exit_code = server.stop(signal.SIGTERM)  # what `docker stop` sends
        for request in requests:
            request.join(timeout=10)

    finished, cut = outcomes[2], outcomes[5]
    assert isinstance(finished, httpx2.Response) and finished.status_code == 200, server.log()
    assert finished.json() == {"slept": 2.0}
    # past the graceful timeout the server gives up on the request, before the platform's
    # SIGKILL: gunicorn kills the worker (the connection closes), uvicorn cancels it (a 500)
    if framework == "flask":
        assert isinstance(cut, httpx2.TransportError), server.log()
    else:
        assert isinstance(cut, httpx2.Response) and cut.status_code == 500, server.log()
    # gunicorn exits 0; uvicorn, once its graceful shutdown is done, re-raises the SIGTERM it
    # caught, so it ends "by SIGTERM" (-15) as an uncaught signal would. Never -9: no kill needed
    assert exit_code == (0 if framework == "flask" else -signal.SIGTERM), server.log()
    if waiting is not None:  # gunicorn closed its socket: the queued request got no answer
        assert answer_to(waiting) == b"", "drain the instance before SIGTERM (see the page)"


@contextmanager
def in_process_client(factory: str, app) -> Iterator[httpx2.Client]:
    """A client that calls the app in this process; the app's connections closed after."""
    from fastapi.testclient import TestClient

    if factory == "fastapi":
        with TestClient(app) as client:  # its lifespan closes the app's connections
            yield client
        return
    try:
        with httpx2.Client(transport=httpx2.WSGITransport(app=app), base_url="http://t") as client:
            yield client
    finally:
        app.extensions["api"].close()  # Flask has no shutdown hook: else the GC finds them open


@pytest.mark.parametrize("factory", ["flask", "fastapi"])
def test_an_unreachable_job_queue_is_a_503_problem_not_a_traceback(factory, worker_database):
    import api_serve
    from api_serve_process import free_port

    api = ApiSettings(database_url=worker_database[0], redis_url=f"redis://127.0.0.1:{free_port()}")
    app = getattr(api_serve, f"{factory}_app")(ServeSettings(api=api))
    with in_process_client(factory, app) as client:
        responses = [client.post("/api/v1/reports"), client.get("/api/v1/jobs/some-id")]
    for response in responses:
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
        assert response.json()["detail"] == "the job queue is unavailable; retry later"


@pytest.mark.parametrize("factory", ["flask", "fastapi"])
def test_only_the_demo_settings_let_a_client_skip_the_cache(factory, worker_database, redis_url):
    import api_serve

    from course.sandbox import unique_name

    api = ApiSettings(database_url=worker_database[0], redis_url=redis_url)
    api = dataclasses.replace(api, redis_prefix=f"{unique_name('fresh')}:")
    app = getattr(api_serve, f"{factory}_app")(ServeSettings(api=api))
    with in_process_client(factory, app) as client:
        first = client.get("/api/v1/authors")
        # in production ?fresh=1 would let anyone send every request to PostgreSQL
        again = [client.get(f"/api/v1/authors?fresh={value}") for value in ("1", "abc")]
    assert first.status_code == 200 and first.json()["cached"] is False
    assert [(r.status_code, r.json()["cached"]) for r in again] == [(200, True), (200, True)]
