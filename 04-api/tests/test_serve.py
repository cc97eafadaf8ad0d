"""Running for real: settings from the environment, and a graceful stop on SIGTERM.

The SIGTERM test is the one that matters in production: every deploy, scale-down and
restart sends it, and a request in flight at that moment must still get its answer.
"""

from __future__ import annotations

import signal
import sys
import threading

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


def test_the_server_command_refuses_a_bad_setting_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["api_serve.py", "flask"])
    for name, value in (URLS | {"API_CACHE_SECONDS": "soon"}).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 2
    error = capsys.readouterr().err
    assert error == "error: API_CACHE_SECONDS must be a whole number >= 0, got 'soon'\n"


def test_each_framework_gets_its_production_server():
    flask = server_command("flask", port=1, workers=3)
    fastapi = server_command("fastapi", port=1, workers=1)
    assert flask[1:3] == ["-m", "gunicorn"] and flask[-1] == "api_serve:flask_app()"
    assert fastapi[1:3] == ["-m", "uvicorn"] and fastapi[-1] == "api_serve:fastapi_app"
    assert flask[flask.index("--workers") + 1] == "3"
    with pytest.raises(ValueError, match="unknown framework 'django'"):
        server_command("django", port=1, workers=1)


@pytest.mark.parametrize("framework", ["flask", "fastapi"])
def test_sigterm_during_a_request_lets_it_finish_then_the_server_exits(
    framework, worker_database, redis_url
):
    settings = ServeSettings(
        api=ApiSettings(database_url=worker_database[0], redis_url=redis_url), demo_routes=True
    )
    answers: list[httpx2.Response] = []
    with running_server(framework, environment=environment_of(settings)) as server:
        url = f"{server.base_url}/demo/slow?seconds=1"
        request = threading.Thread(target=lambda: answers.append(httpx2.get(url, timeout=10)))
        request.start()
        wait_for_sleeping_query(worker_database[0])  # the request is inside the handler now

        exit_code = server.stop(signal.SIGTERM)  # what `docker stop` sends
        request.join(timeout=10)

    assert answers and answers[0].status_code == 200, server.log()
    assert answers[0].json() == {"slept": 1.0}
    # gunicorn exits 0; uvicorn, once its graceful shutdown is done, re-raises the SIGTERM it
    # caught, so it ends "by SIGTERM" (-15) as an uncaught signal would. Never -9: no kill needed
    assert exit_code in (0, -signal.SIGTERM), server.log()


@pytest.mark.parametrize("factory", ["flask", "fastapi"])
def test_an_unreachable_job_queue_is_a_503_problem_not_a_traceback(factory, worker_database):
    import api_serve
    from api_serve_process import free_port
    from fastapi.testclient import TestClient

    api = ApiSettings(database_url=worker_database[0], redis_url=f"redis://127.0.0.1:{free_port()}")
    app = getattr(api_serve, f"{factory}_app")(ServeSettings(api=api))
    if factory == "flask":
        client = httpx2.Client(transport=httpx2.WSGITransport(app=app), base_url="http://t")
    else:
        client = TestClient(app)
    with client:
        responses = [client.post("/api/v1/reports"), client.get("/api/v1/jobs/some-id")]
    for response in responses:
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
        assert response.json()["detail"] == "the job queue is unavailable; retry later"
