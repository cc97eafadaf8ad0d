"""Start, stop and inspect the course's services, in Docker or embedded mode.

`up` leaves alone every service that already answers at its configured URL and starts the
others; it records what it started (mode, process id, port) in `.services/state.json` and
writes the URLs it used to `.env`. `down` stops exactly what was recorded.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values

from course.paths import COMPOSE_FILE, ENV_EXAMPLE_FILE, ENV_FILE, SERVICES_DIR
from course.services import embedded
from course.services.probes import SERVICES, ServiceUnavailable
from course.settings import Settings, get_settings

logger = logging.getLogger(__name__)

Mode = Literal["docker", "embedded"]
# the docker-compose services behind each course service (for stopping them one by one)
COMPOSE_SERVICES = {
    "postgres": ["postgres"],
    "mongo": ["mongo"],
    "redis": ["redis"],
    "s3": ["minio"],
}


@dataclass
class Record:
    """One service that `up` started."""

    mode: Mode
    url_settings: dict[str, str]
    port: int | None = None
    pid: int | None = None
    create_time: float | None = None


@dataclass
class UpReport:
    """What `up` did for each service: started, or left alone because it already answered."""

    mode: Mode
    started: list[str] = field(default_factory=list)
    already_running: list[str] = field(default_factory=list)
    moved_ports: dict[str, tuple[int, int]] = field(default_factory=dict)
    seconds: float = 0.0


def docker_engine_answers() -> bool:
    """True when a Docker engine (not just the client) answers, with Compose available."""
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, timeout=10)
        compose = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return info.returncode == 0 and compose.returncode == 0


def choose_mode(requested: str = "auto") -> Mode:
    """Docker when an engine answers, embedded otherwise; `COURSE_SERVICES_MODE` can force one."""
    requested = (
        os.environ.get("COURSE_SERVICES_MODE", requested) if requested == "auto" else requested
    )
    if requested in ("docker", "embedded"):
        return requested  # type: ignore[return-value]
    return "docker" if docker_engine_answers() else "embedded"


def port_is_free(port: int) -> bool:
    """True when no program listens on the port (connections in TIME_WAIT do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # the servers set SO_REUSEADDR too, so a just-stopped server's closed connections
        # (TIME_WAIT) would not stop them binding; without it, the port would look taken
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((embedded.HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((embedded.HOST, 0))
        return probe.getsockname()[1]


def write_env_file(env_file: Path, values: dict[str, str]) -> None:
    """Set `values` in `env_file`, keeping every other line, atomically."""
    lines = env_file.read_text().splitlines() if env_file.exists() else []
    remaining = dict(values)
    for index, line in enumerate(lines):
        key = line.split("=", 1)[0].strip()
        if "=" in line and not line.lstrip().startswith("#") and key in remaining:
            lines[index] = f"{key}={remaining.pop(key)}"
    lines += [f"{key}={value}" for key, value in remaining.items()]
    temporary = env_file.with_name(env_file.name + ".tmp")
    temporary.write_text("\n".join(lines) + "\n")
    os.replace(temporary, env_file)


class ServiceManager:
    """The services of one checkout: its `.env`, its state file, its data folder."""

    def __init__(
        self,
        env_file: Path = ENV_FILE,
        services_dir: Path = SERVICES_DIR,
        preferred_ports: dict[str, int] | None = None,
    ):
        self.env_file = env_file
        self.services_dir = services_dir
        self.state_file = services_dir / "state.json"
        self.preferred_ports = preferred_ports or {
            key: spec.default_port for key, spec in SERVICES.items()
        }

    # --- state --------------------------------------------------------------------------

    def records(self) -> dict[str, Record]:
        if not self.state_file.exists():
            return {}
        raw = json.loads(self.state_file.read_text())
        return {key: Record(**record) for key, record in raw.items()}

    def save_records(self, records: dict[str, Record]) -> None:
        self.services_dir.mkdir(parents=True, exist_ok=True)
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({k: asdict(r) for k, r in records.items()}, indent=2))
        os.replace(temporary, self.state_file)

    def settings(self) -> Settings:
        return get_settings(self.env_file)

    def answers(self, key: str, settings: Settings) -> bool:
        try:
            SERVICES[key].check(settings)
        except ServiceUnavailable:
            return False
        return True

    # --- up / down ------------------------------------------------------------------------

    def up(self, keys: Iterable[str] | None = None, mode: str = "auto") -> UpReport:
        """Start every requested service that does not already answer."""
        began = time.monotonic()
        keys = list(keys or SERVICES)
        settings = self.settings()
        with ThreadPoolExecutor(len(keys)) as pool:
            answering = dict(
                zip(keys, pool.map(lambda k: self.answers(k, settings), keys), strict=True)
            )
        report = UpReport(mode=choose_mode(mode))
        report.already_running = [key for key in keys if answering[key]]
        missing = [key for key in keys if not answering[key]]
        if missing and report.mode == "docker":
            self.up_docker(missing, report)
        elif missing:
            self.up_embedded(missing, report)
        report.seconds = time.monotonic() - began
        return report

    def up_docker(self, keys: list[str], report: UpReport) -> None:
        # compose starts the whole file: it leaves running containers alone, and --wait
        # returns once every healthcheck passes and the bucket job has finished
        command = ["docker", "compose", "-f", str(COMPOSE_FILE), "up", "-d", "--wait"]
        subprocess.run(command, check=True)
        defaults = {k: v for k, v in dotenv_values(ENV_EXAMPLE_FILE).items() if v is not None}
        write_env_file(self.env_file, {**defaults, "COURSE_SERVICES_MODE": "docker"})
        records = self.records()
        for key in keys:
            records[key] = Record(mode="docker", url_settings={})
        self.save_records(records)
        report.started = keys

    def up_embedded(self, keys: list[str], report: UpReport) -> None:
        records = self.records()
        for key in keys:  # a record whose process is gone is stale: forget it
            record = records.get(key)
            if record and record.pid and not embedded.is_alive(record.pid, record.create_time):
                del records[key]
        ports = {}
        for key in keys:
            preferred = self.preferred_ports[key]
            ports[key] = preferred if port_is_free(preferred) else free_port()
            if ports[key] != preferred:
                report.moved_ports[key] = (preferred, ports[key])

        def start(key: str) -> embedded.Started:
            return embedded.start(key, ports[key], self.services_dir / key)

        with ThreadPoolExecutor(len(keys)) as pool:
            futures = {key: pool.submit(start, key) for key in keys}
        failures = []
        for key, future in futures.items():
            try:
                started = future.result()
            except Exception as error:
                failures.append(f"{SERVICES[key].title}: {error}")
                continue
            records[key] = Record(
                "embedded", started.url_settings, ports[key], started.pid, started.create_time
            )
            report.started.append(key)
        self.save_records(records)
        written = {
            name: url for key in report.started for name, url in records[key].url_settings.items()
        }
        write_env_file(
            self.env_file,
            {name.upper(): url for name, url in written.items()}
            | {"COURSE_SERVICES_MODE": "embedded"},
        )
        if failures:
            raise embedded.ServiceStartError("; ".join(failures))

    def down(self, keys: Iterable[str] | None = None) -> list[str]:
        """Stop the recorded services (all of them by default); return the ones stopped."""
        records = self.records()
        keys = [key for key in (keys or list(records)) if key in records]
        docker_keys = [key for key in keys if records[key].mode == "docker"]
        if docker_keys:
            compose_services = [name for key in docker_keys for name in COMPOSE_SERVICES[key]]
            subprocess.run(
                ["docker", "compose", "-f", str(COMPOSE_FILE), "stop", *compose_services],
                check=True,
            )
        for key in keys:
            record = records.pop(key)
            if record.mode == "embedded" and record.pid:
                embedded.stop(record.pid, record.create_time, key=key)
        self.save_records(records)
        return keys

    # --- status ------------------------------------------------------------------------------

    def status(self) -> list[ServiceStatus]:
        """Each service, its URL, how it runs, and a real round trip to it."""
        settings, records = self.settings(), self.records()

        def one(key: str) -> ServiceStatus:
            spec, record = SERVICES[key], records.get(key)
            started = time.perf_counter()
            try:
                answer, ok = spec.check(settings), True
            except ServiceUnavailable as error:
                answer, ok = error.reason, False
            milliseconds = (time.perf_counter() - started) * 1000
            mode = record.mode if record else "not started by course"
            if record and record.pid:
                mode += f" (pid {record.pid})"
            return ServiceStatus(
                key, spec.title, spec.url(settings), mode, ok, answer, milliseconds
            )

        with ThreadPoolExecutor(len(SERVICES)) as pool:
            return list(pool.map(one, SERVICES))


@dataclass(frozen=True)
class ServiceStatus:
    key: str
    title: str
    url: str
    mode: str
    ok: bool
    answer: str
    milliseconds: float
