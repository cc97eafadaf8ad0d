"""Run the API for real: Flask under gunicorn, FastAPI under uvicorn, configured by the environment.

    python 04-api/api_serve.py flask --port 8001 --workers 2     # gunicorn, 2 sync workers
    python 04-api/api_serve.py fastapi --port 8002 --workers 1   # uvicorn, 1 event loop
    python 04-api/api_serve.py migrate                           # create the tables (release)

`flask_app()` and `fastapi_app()` are the factories the servers call: part 1's own
`create_app`, given settings from the environment, plus the job endpoints and the cached
report. The command line becomes `gunicorn 'api_serve:flask_app()'` or
`uvicorn --factory api_serve:fastapi_app`, which replaces this process (`os.execv`), so
SIGTERM from Docker, a platform or a test reaches the server itself.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

import api_fastapi
import api_flask
from api_jobs import make_queue
from api_jobs_routes import add_fastapi_job_routes, add_flask_job_routes
from api_serve_routes import add_fastapi_serve_routes, add_flask_serve_routes
from api_serve_settings import ConfigError, ServeSettings, settings_from_environment, whole_number
from fastapi import FastAPI
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

logger = logging.getLogger(__name__)

LESSON = Path(__file__).resolve().parent
GRACEFUL_SECONDS = 20  # on SIGTERM, in-flight requests get this long; Docker waits 10 s by default


def flask_app(settings: ServeSettings | None = None) -> Flask:
    """Part 1's Flask app with the job routes and the cached report (what gunicorn serves)."""
    settings = settings or settings_from_environment()
    app = api_flask.create_app(settings.api)
    if settings.proxy_hops:  # behind nginx, the peer is nginx: the client is in X-Forwarded-For
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops
        )
    add_flask_job_routes(app, make_queue(settings.api.redis_url, settings.jobs_queue))
    add_flask_serve_routes(app, settings)
    return app


def fastapi_app(settings: ServeSettings | None = None) -> FastAPI:
    """Part 1's FastAPI app with the job routes and the cached report (what uvicorn serves)."""
    settings = settings or settings_from_environment()
    app = api_fastapi.create_app(settings.api)
    add_fastapi_job_routes(app, make_queue(settings.api.redis_url, settings.jobs_queue))
    add_fastapi_serve_routes(app, settings)
    if settings.demo_routes:
        # imported here: async SQLAlchemy needs greenlet, which the production image leaves out
        from api_serve_async import add_async_routes

        add_async_routes(app, settings.api.database_url)
    return app


def server_command(
    framework: str,
    *,
    port: int,
    workers: int,
    host: str = "127.0.0.1",
    graceful_seconds: int = GRACEFUL_SECONDS,
) -> list[str]:
    """The production server's command line for one framework."""
    if framework == "flask":
        return [
            *(sys.executable, "-m", "gunicorn", "--chdir", str(LESSON)),
            *("--bind", f"{host}:{port}", "--workers", str(workers)),
            # sync workers: one request at a time each; the master restarts a dead one
            *("--graceful-timeout", str(graceful_seconds), "--access-logfile", "-"),
            # gunicorn 26+ opens a control socket at one path per user: two instances collide
            "--no-control-socket",
            # import the app once in the master, then fork: faster starts, shared memory; safe
            # because part 1's factories connect nothing until the first request
            "--preload",
            "api_serve:flask_app()",
        ]
    if framework == "fastapi":
        return [
            *(sys.executable, "-m", "uvicorn", "--app-dir", str(LESSON), "--factory"),
            *("--host", host, "--port", str(port), "--workers", str(workers)),
            *("--timeout-graceful-shutdown", str(graceful_seconds), "--no-server-header"),
            "api_serve:fastapi_app",
        ]
    raise ValueError(f"unknown framework {framework!r}: flask or fastapi")


def default_workers() -> int:
    """WEB_CONCURRENCY if set (the convention Heroku and gunicorn share), else 2."""
    return whole_number(os.environ, "WEB_CONCURRENCY", 2, minimum=1)  # strips, as they do


def check_uvicorn_trusts_the_proxy(environ: Mapping[str, str]) -> None:
    """Refuse API_PROXY_HOPS for uvicorn unless FORWARDED_ALLOW_IPS names the proxy."""
    # ProxyFix (Flask) counts hops; uvicorn believes X-Forwarded-For only from the addresses
    # in FORWARDED_ALLOW_IPS (default 127.0.0.1): behind nginx on another host, every client
    # would share nginx's rate-limit count. Not "*": uvicorn would then believe the leftmost
    # entry, which the client itself writes
    if not environ.get("FORWARDED_ALLOW_IPS"):
        raise ConfigError(
            "API_PROXY_HOPS is applied to the Flask app only; for uvicorn set"
            " FORWARDED_ALLOW_IPS to the proxy's address or network"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the bookshop API with a real server.")
    parser.add_argument("command", nargs="?", choices=["flask", "fastapi", "migrate"])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, help="default: PORT or 8000")
    parser.add_argument("--workers", type=int, help="processes (default: WEB_CONCURRENCY or 2)")
    parser.add_argument(
        "--graceful-seconds", type=int, default=GRACEFUL_SECONDS, help="on SIGTERM, finish for"
    )
    arguments = parser.parse_args()
    if arguments.command is None:  # `make run` runs every script bare: say how to use this one
        parser.print_help()
        return
    logging.basicConfig(level=logging.INFO)
    try:
        settings = settings_from_environment()  # fail here, in one line, not in every worker
        port = arguments.port
        if port is None:  # the variable every platform sets: a typo is one line, not a traceback
            port = whole_number(os.environ, "PORT", 8000, minimum=1)
        workers = default_workers() if arguments.workers is None else arguments.workers
        if workers < 1:  # 0 would not mean "the default", and uvicorn would take -3 as is
            raise ConfigError(f"--workers must be a whole number >= 1, got {workers}")
        if arguments.command == "fastapi" and settings.proxy_hops:
            check_uvicorn_trusts_the_proxy(os.environ)
    except ConfigError as error:
        parser.exit(2, f"error: {error}\n")
    if arguments.command == "migrate":
        from api_models import create_schema, make_engine
        from sqlalchemy.exc import OperationalError

        engine = make_engine(settings.api.database_url)
        try:
            create_schema(engine)
        except OperationalError as error:  # the release step: one line, not a traceback
            at = f"{engine.url.host}:{engine.url.port or 5432}"
            reason = str(error.orig).strip().splitlines()[0]
            parser.exit(2, f"error: PostgreSQL does not answer at {at} ({reason})\n")
        finally:
            engine.dispose()
        print("the tables exist")
        return
    command = server_command(
        arguments.command,
        port=port,
        workers=workers,
        host=arguments.host,
        graceful_seconds=arguments.graceful_seconds,
    )
    print(f"exec: {shlex.join(command)}", flush=True)  # the whole command, runnable as shown
    os.execv(command[0], command)  # the server becomes this process: signals reach it


if __name__ == "__main__":
    main()
