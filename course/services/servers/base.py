"""What every embedded server does the same way: spawn, wait until ready, check, stop.

A server module subclasses `Server` and says only what differs: its command, its settings,
what to prepare before the spawn and what to set up once it answers. `start` returns the
spawned process at once, so the manager records it before anything else can go wrong.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from pathlib import Path

import psutil

from course.services import process as processes
from course.services import programs
from course.services.probes import SERVICES
from course.settings import Settings

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 30
# the lines of a server's log that say why it stopped; the last lines when none match
ERROR_LINE = re.compile(r"\b(FATAL|PANIC|ERROR|CRITICAL|Error|error|Traceback)\b|# ")
# how every server here reports EADDRINUSE (PostgreSQL, MongoDB, Valkey, Memcached, Python, Go
# and Node all print the C library's text for it, in one case or another)
ADDRESS_IN_USE = re.compile(r"address already in use", re.IGNORECASE)


class ServiceStartError(RuntimeError):
    """An embedded server did not start; the message says why (from its log or stderr)."""


class StartCancelled(RuntimeError):
    """Another server's start failed or the user pressed Ctrl-C: stop waiting."""


def settings_for(url_settings: dict[str, str]) -> Settings:
    """Settings that point at one server, ignoring the environment and `.env`."""
    return Settings(_env_file=None, **url_settings)


def log_errors(log_file: Path, lines: int = 6) -> str:
    """The error lines of a log (the last few when none say error), joined on one line."""
    if not log_file.exists():
        return f"(no log at {log_file})"
    text = log_file.read_text(errors="replace").splitlines()
    errors: dict[str, str] = {}  # by message without its time stamp: each error once
    for line in text:
        match = ERROR_LINE.search(line)
        if match:
            errors.setdefault(line[match.start() :].strip(), line.strip())
    shown = list(errors.values()) or [line.strip() for line in text]
    return " | ".join(shown[-lines:]) + f" (log: {log_file})"


class Server:
    """One embedded server; subclasses fill in `command` and `url_settings`."""

    key = ""
    log_name = "server.log"
    stop_signal = 15  # SIGTERM; PostgreSQL overrides it

    @property
    def title(self) -> str:
        return SERVICES[self.key].title

    def command(self, port: int, home: Path) -> list[str]:
        raise NotImplementedError

    def url_settings(self, port: int) -> dict[str, str]:
        raise NotImplementedError

    def version(self) -> str:
        """The server's version as its package or binary reports it."""
        raise NotImplementedError

    def prepare(self, port: int, home: Path) -> None:
        """Work done before the spawn (PostgreSQL's initdb); nothing by default."""

    def set_up(self, url_settings: dict[str, str]) -> None:
        """Work done once the server listens (a database, a bucket); nothing by default.

        It is retried until the server answers: raise `ServiceStartError` for a failure
        that waiting cannot cure (a wrong password), any other exception to retry.
        """

    def log_file(self, home: Path) -> Path:
        return home / self.log_name

    def log_size(self, home: Path) -> int:
        """Where this start's lines begin: the log is appended to, start after start."""
        try:
            return self.log_file(home).stat().st_size
        except OSError:
            return 0

    def lost_the_port(self, home: Path, since: int) -> bool:
        """True when the log, from offset `since`, says another socket held the port at bind."""
        try:
            with self.log_file(home).open("rb") as log:
                log.seek(since)
                return bool(ADDRESS_IN_USE.search(log.read().decode(errors="replace")))
        except OSError:
            return False

    def system_user(self) -> str | None:
        """The user the server runs as; None: the user running the course."""
        return None

    def environment(self) -> dict[str, str] | None:
        """Variables added to the server's environment; None: only the course's own."""
        return None

    def start(self, port: int, home: Path) -> psutil.Process:
        """Prepare, then spawn the server in its own session; return its process at once."""
        home.mkdir(parents=True, exist_ok=True)
        self.prepare(port, home)
        return programs.spawn(
            self.command(port, home), home, self.log_file(home),
            user=self.system_user(), env=self.environment(),
        )  # fmt: skip

    def wait_until_ready(
        self, pid: int, port: int, home: Path, cancelled: threading.Event | None = None
    ) -> None:
        """Wait until THIS process listens on `port` and answers a round trip, then set up."""
        url_settings = self.url_settings(port)
        spec, settings = SERVICES[self.key], settings_for(url_settings)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        problem = "it did not listen yet"
        while time.monotonic() < deadline:
            if cancelled is not None and cancelled.is_set():
                raise StartCancelled(f"{self.title}: start cancelled")
            if not processes.is_alive(pid):
                raise ServiceStartError(
                    f"{self.title} exited during start-up: {log_errors(self.log_file(home))}"
                )
            # another program answering on the port must not pass for our server
            if port in processes.listening_ports(pid):
                try:
                    self.set_up(url_settings)  # the course database or bucket, once
                    spec.probe(settings)
                except ServiceStartError:
                    raise
                except Exception as error:  # any driver error: not ready yet
                    problem = str(error).splitlines()[0] if str(error) else repr(error)
                else:
                    return
            time.sleep(0.05)
        raise ServiceStartError(
            f"{self.title} did not answer on port {port} within {READY_TIMEOUT_SECONDS}s "
            f"({problem}): {log_errors(self.log_file(home))}"
        )

    def owns(self, pid: int, create_time: float | None, home: Path) -> bool:
        """True when the pid is still this server of this checkout (not a reused pid)."""
        return processes.belongs_to(pid, create_time, home)

    def stop(self, pid: int, create_time: float | None, home: Path) -> processes.StopResult:
        """Stop the process if it is this checkout's server, with its children."""
        return processes.stop(
            pid, create_time, home, signal_number=self.stop_signal, name=self.title
        )


def run_tool(command: list[str], **options) -> subprocess.CompletedProcess:
    """Run a set-up command; on failure raise with its real cause (stderr), not its status."""
    result = subprocess.run(command, capture_output=True, text=True, **options)
    if result.returncode != 0:
        cause = (result.stderr or result.stdout).strip().replace("\n", " | ")
        raise ServiceStartError(f"{Path(command[0]).name} failed: {cause or result.returncode}")
    return result
