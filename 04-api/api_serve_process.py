"""Start a real server process on a free port, wait until it answers, stop it with SIGTERM.

What the tests, the load benchmark and the balancer demo share: `running_server(...)` is a
context manager that yields a `ServerProcess` once `/health` answers (polled, with a
deadline), and on leaving sends SIGTERM, the signal Docker, systemd and Heroku send, then
waits for a clean exit, and kills the process only if it does not stop in time.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
from api_models import make_engine
from api_serve import GRACEFUL_SECONDS, LESSON, server_command
from sqlalchemy import Engine, TextClause, text

logger = logging.getLogger(__name__)

START_SECONDS = 30  # a cold start on a busy 2-core machine; usually about a second
STOP_SECONDS = 25  # longer than the servers' own graceful timeout


class ServerDidNotStart(RuntimeError):
    """The server exited or never answered; the message carries its log."""


def free_port() -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ServerProcess:
    """One running server: its process, its URL and where its log goes."""

    process: subprocess.Popen
    base_url: str
    log_path: Path
    kept_log: str | None = None  # the log as it was when the server's folder was removed

    def log(self) -> str:
        """What the server has written so far."""
        if self.kept_log is not None:
            return self.kept_log
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        """Send `sig` (SIGTERM: graceful; SIGKILL: a crash) and return the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("%s ignored SIGTERM for %s s; killing it", self.base_url, STOP_SECONDS)
            self.process.kill()
            return self.process.wait()


def wait_until_up(server: ServerProcess, deadline_seconds: float = START_SECONDS) -> None:
    """Poll /health until it answers 200; raise with the server's log if it exits or times out."""
    deadline = time.monotonic() + deadline_seconds
    with httpx2.Client(timeout=1) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise ServerDidNotStart(f"the server exited:\n{server.log()}")
            try:
                if client.get(f"{server.base_url}/health").status_code == 200:
                    return
            except httpx2.TransportError:
                pass  # not listening yet
            time.sleep(0.05)  # a poll interval, not a wait for an effect
    raise ServerDidNotStart(f"no answer from {server.base_url} in {deadline_seconds} s")


def sleeping(engine: Engine, query: TextClause) -> int:
    """How many pg_sleep queries run now (asked in a transaction of its own)."""
    with engine.connect() as connection:
        return int(connection.scalar(query) or 0)


def wait_for_sleeping_query(
    database_url: str, deadline_seconds: float = 10, count: int = 1
) -> None:
    """Poll `pg_stat_activity` until `count` `pg_sleep` queries run: requests inside a handler."""
    engine = make_engine(database_url)
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND state = 'active' AND query LIKE 'SELECT pg_sleep%'"
    )
    deadline = time.monotonic() + deadline_seconds
    try:
        # a transaction per look: PostgreSQL keeps one snapshot of the statistics per transaction
        while sleeping(engine, query) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"not {count} pg_sleep queries running in {deadline_seconds} s")
            time.sleep(0.02)
    finally:
        engine.dispose()


@contextmanager
def running_server(
    framework: str,
    *,
    workers: int = 1,
    environment: Mapping[str, str] | None = None,
    graceful_seconds: int = GRACEFUL_SECONDS,
    entrypoint: Sequence[str] = (),
) -> Iterator[ServerProcess]:
    """Run `api_serve`'s server for `framework` on a free port until the block ends.

    With an `entrypoint` (the Procfile's `web:` line), that command starts it, as on a platform.
    """
    port = free_port()
    command = server_command(
        framework, port=port, workers=workers, graceful_seconds=graceful_seconds
    )
    if entrypoint:  # the options main() passes on to the server it becomes
        command = [*entrypoint, "--port", str(port), "--workers", str(workers)]
        command += ["--graceful-seconds", str(graceful_seconds)]
    with tempfile.TemporaryDirectory(prefix="api-serve-") as folder:
        log_path = Path(folder) / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                env=os.environ | dict(environment or {}),
                cwd=LESSON.parent,  # where the Procfile's relative paths start
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = ServerProcess(process, f"http://127.0.0.1:{port}", log_path)
        try:
            wait_until_up(server)
            yield server
        finally:
            server.stop()
            server.kept_log = server.log()
