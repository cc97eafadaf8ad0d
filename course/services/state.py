"""What this checkout's services are: `.services/state.json`, one record per started server.

Each record is written the moment its server is spawned (an interrupted `up` leaves nothing
unrecorded), atomically (a crash leaves the old file or the new one, never half of each).
An unreadable file is kept aside and rebuilt from this checkout's running servers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Literal

import psutil

from course.services import process as processes
from course.services.claims import Claims, StateError

logger = logging.getLogger(__name__)

Mode = Literal["docker", "embedded"]
__all__ = ["Mode", "Record", "StateError", "StateStore"]


@dataclass
class Record:
    """One service that `up` started, and how to tell that a process is still that server."""

    mode: Mode
    url_settings: dict[str, str]
    port: int | None = None
    pid: int | None = None
    create_time: float | None = None
    data_dir: str | None = None  # `.services/<key>`: in the server's command line or cwd
    checkout: str | None = None  # the checkout that started it (a copied checkout differs)

    @classmethod
    def from_json(cls, raw: object) -> Record:
        """Read one record, ignoring fields a later version may add."""
        if not isinstance(raw, dict) or raw.get("mode") not in ("docker", "embedded"):
            raise ValueError(f"not a service record: {raw!r}")
        known = {field.name for field in fields(cls)}
        record = cls(**{name: value for name, value in raw.items() if name in known})
        if not isinstance(record.url_settings, dict) or not isinstance(record.pid, int | None):
            raise ValueError(f"not a service record: {raw!r}")
        return record


class StateStore(Claims):
    """The state file, lock and run markers of one checkout's `.services/` folder."""

    def __init__(
        self,
        services_dir: Path,
        service_keys: Collection[str] | None = None,
        checkout: Path | None = None,
    ):
        super().__init__(services_dir)
        if service_keys is None:
            from course.services.probes import SERVICES

            service_keys = tuple(SERVICES)
        self.service_keys = tuple(service_keys)
        self.checkout = Path(os.path.abspath(checkout or services_dir.parent))
        self.state_file = services_dir / "state.json"
        self.notices: list[str] = []  # what load() had to repair, for the command to print
        self._writing = threading.RLock()  # servers start in threads and record themselves

    def data_dir(self, key: str) -> Path:
        """The folder where service `key` keeps its files."""
        return self.services_dir / key

    def is_foreign(self, record: Record) -> bool:
        """Tell whether another checkout wrote this record (this one is a copy of it)."""
        return (
            record.checkout is not None and Path(os.path.abspath(record.checkout)) != self.checkout
        )

    def load(self) -> dict[str, Record]:
        """Read the records; a corrupt file is kept aside and rebuilt from running servers."""
        try:
            text = self.state_file.read_text()
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise StateError(f"cannot read {self.state_file}: {error.strerror}") from None
        try:
            raw = json.loads(text)
            if not isinstance(raw, dict):
                raise ValueError("not a JSON object")
            return {key: Record.from_json(record) for key, record in raw.items()}
        except (ValueError, TypeError) as error:
            return self.recover(error)

    def recover(self, error: Exception) -> dict[str, Record]:
        """Keep the unreadable file aside and rebuild the records from running servers."""
        with self._writing:
            return self.rebuild(error)

    def rebuild(self, error: Exception) -> dict[str, Record]:
        backup = self.state_file.with_name(f"state.json.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(self.state_file, backup)
        except FileNotFoundError:
            return self.load()  # another command repaired it first
        except OSError as oserror:
            raise StateError(
                f"{self.state_file} is unreadable ({error}) and cannot be moved aside "
                f"({oserror.strerror}); delete it and run `course services up` again"
            ) from None
        records = self.running_servers()
        self.write(records)
        notice = (
            f"{self.state_file} was unreadable ({error}); kept it as {backup.name} and rebuilt "
            f"it from this checkout's running servers ({', '.join(records) or 'none'})"
        )
        logger.warning(notice)
        self.notices.append(notice)
        return records

    def running_servers(self) -> dict[str, Record]:
        """Find the servers listening from a `.services/<key>` (in their command line or cwd)."""
        found: dict[str, list[psutil.Process]] = {}
        for candidate in psutil.process_iter(["cmdline", "cwd"]):
            arguments, cwd = candidate.info["cmdline"] or [], candidate.info["cwd"]
            for key in self.service_keys:
                if processes.mentions_folder(arguments, cwd, self.data_dir(key)):
                    found.setdefault(key, []).append(candidate)
        records = {}
        for key, matches in found.items():
            # a server listens; a learner's shell that was `cd`-ed into the folder does not
            servers = [
                m for m in topmost(matches) if processes.listening_ports(m.pid, children=False)
            ]
            if len(servers) == 1:
                records[key] = self.rebuilt_record(key, servers[0])
        return records

    def rebuilt_record(self, key: str, server: psutil.Process) -> Record:
        """A record for a found server; its URL settings are left to its server module."""
        port = min(processes.listening_ports(server.pid, children=False))
        return Record(
            "embedded", {}, port, server.pid, server.create_time(),
            str(self.data_dir(key)), str(self.checkout),
        )  # fmt: skip

    def save_record(self, key: str, record: Record) -> None:
        """Record one service at once, keeping the others."""
        with self._writing:
            records = self.load()
            records[key] = record
            self.write(records)

    def forget(self, key: str) -> None:
        """Drop one service's record (after it stopped, or when it is not ours)."""
        with self._writing:
            records = self.load()
            if records.pop(key, None) is not None:
                self.write(records)

    def write(self, records: dict[str, Record]) -> None:
        """Replace the state file in one step."""
        with self._writing:
            self.write_unguarded(records)

    def write_unguarded(self, records: dict[str, Record]) -> None:
        text = json.dumps({key: asdict(record) for key, record in records.items()}, indent=2)
        temporary = self.state_file.with_name(f".state.json.{os.getpid()}.tmp")
        try:
            self.services_dir.mkdir(parents=True, exist_ok=True)
            with temporary.open("w") as stream:
                stream.write(text + "\n")
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.state_file)
        except OSError as error:
            with contextlib.suppress(OSError):  # a read-only folder refuses this too
                temporary.unlink()
            raise self.unwritable(self.state_file, error) from None


def topmost(matches: list[psutil.Process]) -> list[psutil.Process]:
    """The processes whose parent is not among them: a server, not its workers."""
    pids = {match.pid for match in matches}
    found = []
    for match in matches:
        with contextlib.suppress(psutil.Error):
            if match.ppid() not in pids:
                found.append(match)
    return found
