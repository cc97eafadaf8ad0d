"""Who is using a checkout's `.services/`: the one command changing it, the test runs on it.

`lock` lets one `up`, `down` or `reset-services` at a time change the servers (two at once
started duplicates and lost records); `hold` marks a test run, so that `down` can warn
before it breaks the run's tests. A marker whose process has ended is ignored.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from course.services import process as processes

logger = logging.getLogger(__name__)

# long enough for another `up` to start all four servers on a busy machine
LOCK_WAIT_SECONDS = 60.0
# an flock belongs to one open file: a second open in this process would wait for itself,
# so the locks this process holds are counted here, per lock file and thread
HELD_HERE: dict[tuple[str, int], int] = {}
HELD_GUARD = threading.Lock()


class StateError(RuntimeError):
    """`.services/` cannot be used; the message is one line that says what to do."""


class StateLocked(StateError):
    """Another command holds the lock on `.services/`."""


@dataclass(frozen=True)
class Holder:
    """A process using the services: its pid, its start time and its command."""

    pid: int
    create_time: float
    command: str

    @classmethod
    def current(cls, command: str | None = None) -> Holder:
        """This process, described by `command` or its own command line."""
        me = psutil.Process()
        return cls(me.pid, me.create_time(), command or " ".join(me.cmdline()))

    def describe(self) -> str:
        return f"pid {self.pid}: `{self.command}`"


class Claims:
    """The lock file and the test-run markers in one `.services/` folder."""

    def __init__(self, services_dir: Path):
        self.services_dir = services_dir
        self.lock_file = services_dir / ".lock"
        self.holders_dir = services_dir / "holders"

    def unwritable(self, path: Path, error: OSError) -> StateError:
        """The one line for a folder or file the course cannot write."""
        return StateError(
            f"cannot write {path}: {error.strerror or error}; make {self.services_dir} writable "
            f"(for example `chmod -R u+w {self.services_dir}`) and run again"
        )

    @contextlib.contextmanager
    def lock(
        self, command: str | None = None, wait_seconds: float = LOCK_WAIT_SECONDS
    ) -> Iterator[None]:
        """Hold the exclusive lock on `.services/`, waiting a little for another command.

        Re-entrant within one thread (`reset-services` runs `up` inside its own lock).
        """
        key = (os.path.realpath(self.lock_file), threading.get_ident())
        with HELD_GUARD:
            nested = key in HELD_HERE
            HELD_HERE[key] = HELD_HERE.get(key, 0) + 1 if nested else 0
        if nested:
            try:
                yield
            finally:
                with HELD_GUARD:
                    HELD_HERE[key] -= 1
            return
        try:
            descriptor = self.open_lock_file()
            try:
                self.acquire(descriptor, wait_seconds)
                os.ftruncate(descriptor, 0)
                os.pwrite(descriptor, json.dumps(asdict(Holder.current(command))).encode(), 0)
                yield
            finally:
                os.close(descriptor)  # closing releases the lock
        finally:
            with HELD_GUARD:
                del HELD_HERE[key]

    def open_lock_file(self) -> int:
        try:
            self.services_dir.mkdir(parents=True, exist_ok=True)
            return os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise self.unwritable(self.lock_file, error) from None

    def acquire(self, descriptor: int, wait_seconds: float) -> None:
        deadline, said = time.monotonic() + wait_seconds, False
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise self.unwritable(self.lock_file, error) from None
            if not said and wait_seconds > 1:
                logger.warning(
                    "waiting for another course command (%s) to finish", self.lock_holder()
                )
                said = True
            if time.monotonic() >= deadline:
                raise StateLocked(
                    f"another course command ({self.lock_holder()}) is changing the services "
                    f"in {self.services_dir}; wait for it to finish, then run again"
                )
            time.sleep(0.1)

    def lock_holder(self) -> str:
        """Who holds the lock, as written in the lock file by the holder."""
        try:
            return Holder(**json.loads(self.lock_file.read_text())).describe()
        except (OSError, ValueError, TypeError):
            return "a process that has not said who it is yet"

    @contextlib.contextmanager
    def hold(self, command: str | None = None) -> Iterator[Holder]:
        """Mark the services as used by this process (a test run) until the block ends."""
        holder = Holder.current(command)
        marker = self.holders_dir / f"{holder.pid}.json"
        try:
            self.holders_dir.mkdir(parents=True, exist_ok=True)
            marker.write_text(json.dumps(asdict(holder)))
        except OSError as error:
            raise self.unwritable(marker, error) from None
        try:
            yield holder
        finally:
            marker.unlink(missing_ok=True)

    def holders(self, include_self: bool = False) -> list[Holder]:
        """The live processes that hold the services; markers of ended ones are removed."""
        live = []
        for marker in sorted(self.holders_dir.glob("*.json")):
            try:
                holder = Holder(**json.loads(marker.read_text()))
            except (OSError, ValueError, TypeError):
                holder = None
            if holder is None or not processes.is_alive(holder.pid, holder.create_time):
                with contextlib.suppress(OSError):
                    marker.unlink()  # its run ended without removing it (killed, crashed)
                continue
            if include_self or holder.pid != os.getpid():
                live.append(holder)
        return live
