"""A throwaway server of one kind, for a test or a demo that needs a server of its own.

Some lessons must do to a server what they may not do to the shared one: cap its memory to
show eviction, stop it to show what a client does when it is down, turn on authentication.
`private_server("redis", extra_args=["--maxmemory", "2mb"])` starts the same embedded server
`course services up` starts, on a free port, in a temporary folder, and stops it and deletes
the folder when the `with` block ends, whatever happens inside it:

    with private_server("redis") as server:
        client = redis.Redis.from_url(server.url)
        ...
        server.stop()  # the fault: Redis is down now; the block's end cleans up as usual

A SIGTERM or SIGHUP (a CI timeout, a closed terminal) ends the block like an exception, so
the clean-up still runs; a server left by a harder death (SIGKILL, a crash) is found by the
next start, through the owner recorded in its folder, and stopped and deleted then.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from course.services.ports import free_port, port_is_free
from course.services.servers import Server, ServiceStartError, embedded_servers
from course.services.servers.postgres import PostgresServer

PRIVATE_KINDS = ("postgres", "redis", "s3", "memcached")
ATTEMPTS = 3  # another program may take the free port before the server binds it
PREFIX = "course-private-"  # every private server's folder, so leftovers can be found
RECORD = "course-private.json"  # in that folder: who started the server, and which it is
ENDING_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@dataclass
class PrivateServer:
    """One running throwaway server: its settings, its URL, and how to stop it early."""

    key: str
    port: int
    url_settings: dict[str, str]
    home: Path
    process: psutil.Process = field(repr=False)
    server: Server = field(repr=False)

    @property
    def url(self) -> str:
        """The one URL a client connects to (`redis://...`, `postgresql+psycopg://...`, ...)."""
        return next(iter(self.url_settings.values()))

    def is_running(self) -> bool:
        try:
            return self.process.is_running() and self.process.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    def stop(self) -> None:
        """Stop the server now (a fault to inject); stopping twice does nothing."""
        if self.is_running():
            self.server.stop(self.process.pid, self.process.create_time(), self.home)


class ExtraArguments(Server):
    """A server whose command gets extra arguments and whose process gets extra environment."""

    def __init__(self, inner: Server, extra_args: Sequence[str], env: Mapping[str, str]):
        self.inner, self.extra_args, self.env = inner, list(extra_args), dict(env)
        self.key, self.log_name, self.stop_signal = inner.key, inner.log_name, inner.stop_signal

    def command(self, port: int, home: Path) -> list[str]:
        return [*self.inner.command(port, home), *self.extra_args]

    def url_settings(self, port: int) -> dict[str, str]:
        return self.inner.url_settings(port)

    def prepare(self, port: int, home: Path) -> None:
        self.inner.prepare(port, home)

    def set_up(self, url_settings: dict[str, str]) -> None:
        self.inner.set_up(url_settings)

    def system_user(self) -> str | None:
        return self.inner.system_user()

    def environment(self) -> dict[str, str] | None:
        return self.env or None


@contextlib.contextmanager
def private_server(
    key: str, *, extra_args: Sequence[str] = (), env: Mapping[str, str] | None = None
) -> Iterator[PrivateServer]:
    """Start a throwaway `key` server on a free port; stop it and delete its data on exit."""
    if key not in PRIVATE_KINDS:
        raise ValueError(f"no private {key!r} server: the kinds are {', '.join(PRIVATE_KINDS)}")
    inner = embedded_servers()[key]
    if isinstance(inner, PostgresServer):
        # its data is deleted at the end: flushing initdb's files to disk only costs seconds
        inner.initdb_options = ("--no-sync",)
    server = ExtraArguments(inner, extra_args, env or {})
    # in /tmp, not under a test's tmp_path: PostgreSQL's own system user must reach it
    home = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{key}-"))
    home.chmod(0o755)
    running: PrivateServer | None = None
    try:
        with ending_on_signals():
            running = start(server, home)
            yield running
    finally:
        if running is not None:
            running.stop()
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def ending_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into SystemExit inside the block, so `finally` clauses run."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers (and it is the one a signal reaches)
        return

    def exit_now(number: int, _frame: object) -> None:
        raise SystemExit(128 + number)  # the exit status the default action would give

    # only where the default would end us without clean-up: an ignored or handled signal stays so
    replaced = {
        n: signal.signal(n, exit_now)
        for n in ENDING_SIGNALS
        if signal.getsignal(n) == signal.SIG_DFL
    }
    try:
        yield
    finally:
        for number, previous in replaced.items():
            signal.signal(number, previous)


def start(server: Server, home: Path) -> PrivateServer:
    """Start the server on a free port, trying another port when one is taken meanwhile."""
    remove_leftovers()
    attempt = 1
    while True:
        port = free_port()
        process = server.start(port, home)
        record(home, process, server.stop_signal)
        running = PrivateServer(server.key, port, server.url_settings(port), home, process, server)
        try:
            server.wait_until_ready(process.pid, port, home)
        except BaseException as error:
            running.stop()
            # only a port another program took meanwhile is worth another try; a server that
            # exits for any other reason (a bad argument, a failed recovery) would again
            taken = isinstance(error, ServiceStartError) and not port_is_free(port)
            if attempt == ATTEMPTS or not taken:
                raise
            attempt += 1
        else:
            return running


def record(home: Path, process: psutil.Process, stop_signal: int) -> None:
    """Write who owns the server in `home` (this process) and which process it is."""
    owner = psutil.Process()
    mine = {
        "owner": [owner.pid, owner.create_time()],
        "server": [process.pid, process.create_time()],
    }
    (home / RECORD).write_text(json.dumps({**mine, "stop_signal": int(stop_signal)}))


def remove_leftovers() -> None:
    """Stop and delete every private server whose owner died without cleaning up (SIGKILL)."""
    for home in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            found = json.loads((home / RECORD).read_text())
        except (OSError, ValueError):
            continue  # being set up, or not ours to judge: left alone
        if is_alive(*found["owner"]):
            continue  # another test or demo is using it
        if is_alive(*found["server"]):
            leftover = psutil.Process(found["server"][0])
            with contextlib.suppress(psutil.Error):
                leftover.send_signal(found["stop_signal"])
                deadline = time.monotonic() + 10
                while is_alive(*found["server"]) and time.monotonic() < deadline:
                    time.sleep(0.05)  # not our child: poll, a zombie counts as gone
                if is_alive(*found["server"]):
                    leftover.kill()
        shutil.rmtree(home, ignore_errors=True)


def is_alive(pid: int, create_time: float) -> bool:
    """Tell whether process `pid` still runs and is the same one (not a reused pid)."""
    try:
        process = psutil.Process(pid)
        return process.create_time() == create_time and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
