"""The order API as a real server process, for end-to-end and load tests.

`live_server(database_url)` starts uvicorn in a child process on a port nobody else has, waits
until `/health` answers, yields the base URL, and always stops the process, even when the test
failed. The port is never guessed: the parent binds a socket to port 0 (the kernel picks a free
one), listens on it, and hands the listening socket to uvicorn (`--fd`), so no other process
can take the port between the choice and the start, and a connection made before uvicorn
accepts waits in the backlog instead of being refused. `app_from_env` is the factory the child
process runs: it connects to the database first, so a wrong URL stops the server with one line
before `/health` ever answers.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from orders_api import create_app, sql_repositories
from sqlalchemy import create_engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

logger = logging.getLogger(__name__)
LESSON_DIR = Path(__file__).resolve().parent
URL_VARIABLE = "ORDERS_DATABASE_URL"


class ServerDidNotStart(RuntimeError):
    """The server process exited, or did not answer in time."""


def app_from_env() -> FastAPI:
    """Return the order API over the database named by ORDERS_DATABASE_URL (the child runs it)."""
    url = os.environ.get(URL_VARIABLE)
    if not url:
        raise SystemExit(f"set {URL_VARIABLE} to a SQLAlchemy URL of a database with the tables")
    try:
        engine = create_engine(url, pool_size=10)
        with engine.connect():
            pass  # readiness: /health answers only once the database has
    except (ArgumentError, DBAPIError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        where = make_url(url).render_as_string() if not isinstance(error, ArgumentError) else url
        message = f"cannot connect to the database {where} ({reason}): check {URL_VARIABLE}"
        raise SystemExit(message) from None
    return create_app(sql_repositories(engine))


def wait_until_ready(url: str, process: subprocess.Popen, *, timeout: float = 30.0) -> None:
    """Poll `url` until it answers 200; raise ServerDidNotStart if the process exits first."""
    deadline = time.monotonic() + timeout
    last_error = "no attempt"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStart(
                f"the server exited with {process.returncode} before it answered"
            )
        try:
            # trust_env=False: a loopback server never needs the HTTP_PROXY a machine may set
            if httpx.get(url, timeout=1.0, trust_env=False).status_code == 200:
                return
        except httpx.TransportError as error:
            last_error = f"{type(error).__name__}: {error}"  # not started yet: waited or refused
        time.sleep(0.05)
    raise ServerDidNotStart(f"no answer from {url} within {timeout:.0f} s (last: {last_error})")


def reserved_socket() -> socket.socket:
    """Return a socket listening on a port the kernel chose: no other socket can bind it."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # port 0: the kernel picks one that is free
    # without SO_REUSEADDR on this socket, binding already holds the port on Linux (a second
    # bind needs it on both); listening lets early connections wait in the backlog, not fail
    listener.listen()
    return listener


@contextmanager
def live_server(database_url: str) -> Iterator[str]:
    """Run the order API in a child process; yield its base URL; stop it on exit."""
    listener = reserved_socket()
    port = listener.getsockname()[1]
    command = [sys.executable, "-m", "uvicorn", "orders_live_server:app_from_env", "--factory"]
    command += ["--fd", str(listener.fileno()), "--log-level", "warning"]
    env = {**os.environ, URL_VARIABLE: database_url}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(LESSON_DIR), env.get("PYTHONPATH")]))
    # the server's own messages go to this process's stderr: a pipe nobody reads could fill
    process = subprocess.Popen(command, env=env, pass_fds=[listener.fileno()])
    listener.close()  # the child has its own copy of the socket now
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(f"{base_url}/health", process)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
