"""Start, stop and inspect the course's services, in Docker or embedded mode.

`up` holds the lock on `.services/`, reuses the servers this checkout recorded that still run,
uses a URL the learner set on purpose when it answers, and starts the others on a free port.
Each start is recorded the moment its process exists; an exception or Ctrl-C stops exactly
what this run started. Only the settings of the servers this run used are written to `.env`.
"""

from __future__ import annotations

import os
import time
import tomllib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from course.paths import ENV_EXAMPLE_FILE, ENV_FILE, SERVICES_DIR
from course.services import ports
from course.services.availability import embedded_missing
from course.services.docker import (
    COMPOSE_SERVICES,
    DOCKER_ENV_KEYS,
    choose_mode,
    docker_engine_answers,
    run_compose,
)
from course.services.envfile import update_env_file
from course.services.launch import start_all
from course.services.ownership import Owner, describe_owner, learner_choice
from course.services.probes import SERVICES, ServiceUnavailable, required_keys
from course.services.process import listening_ports
from course.services.servers import Server, ServiceStartError, embedded_servers
from course.services.servers.base import settings_for
from course.services.state import Mode, Record, StateStore
from course.settings import Settings, get_settings

__all__ = [
    "Mode", "Record", "ServiceManager", "UpFailed", "UpReport", "choose_mode",
    "docker_engine_answers",
]  # fmt: skip

# re-exported: the tests and other commands import them from here
free_port, port_is_free = ports.free_port, ports.port_is_free


@dataclass
class UpReport:
    """What `up` did for each service, for the command to print."""

    mode: Mode
    started: list[str] = field(default_factory=list)
    already_running: list[str] = field(default_factory=list)  # this checkout's, reused
    adopted: dict[str, str] = field(default_factory=dict)  # the learner's own URL: why
    moved_ports: dict[str, tuple[int, int]] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)  # cannot run here: why
    failures: dict[str, str] = field(default_factory=dict)
    env_changes: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    launched: dict[str, Record] = field(default_factory=dict)  # what this run started
    seconds: float = 0.0


class UpFailed(ServiceStartError):
    """Some servers did not start; the others did, and `report` says which."""

    def __init__(self, report: UpReport):
        self.report = report
        super().__init__("; ".join(report.failures.values()))


class ServiceManager:
    """The services of one checkout: its `.env`, its state file, its data folder."""

    def __init__(
        self,
        env_file: Path = ENV_FILE,
        services_dir: Path = SERVICES_DIR,
        preferred_ports: dict[str, int] | None = None,
        servers: dict[str, Server] | None = None,
        lessons_root: Path | None = None,
    ):
        self.env_file = env_file
        self.services_dir = services_dir
        # whose lessons decide which optional services `up` starts: this checkout's
        self.lessons_root = lessons_root or services_dir.parent
        self.store = StateStore(services_dir)
        self.servers = servers or embedded_servers()
        self.preferred_ports = preferred_ports or {
            key: spec.default_port for key, spec in SERVICES.items()
        }

    # --- state --------------------------------------------------------------------------

    def records(self) -> dict[str, Record]:
        """The recorded services; a rebuilt record gets its URL from its server module."""
        records = self.store.load()
        for key, record in records.items():
            if record.mode == "embedded" and not record.url_settings and record.port:
                record.url_settings = self.servers[key].url_settings(record.port)
        return records

    def settings(self) -> Settings:
        return get_settings(self.env_file)

    def answers(self, key: str, settings: Settings) -> bool:
        try:
            SERVICES[key].check(settings)
        except ServiceUnavailable:
            return False
        return True

    def is_live(self, key: str, record: Record) -> bool:
        """True when the record is this checkout's running server, listening and answering."""
        if record.mode == "docker":
            return self.answers(key, settings_for(record.url_settings))
        if not (record.pid and record.port):
            return False
        # this checkout's folder, never the record's: a copied state file names the
        # original's folder (a moved checkout's servers moved with it: their cwd follows)
        home = self.store.data_dir(key)
        return (
            self.servers[key].owns(record.pid, record.create_time, home)
            and record.port in listening_ports(record.pid)
            and self.answers(key, settings_for(record.url_settings))
        )

    def owners(self, settings: Settings) -> dict[str, Owner]:
        """Who runs the server behind each configured URL: this checkout, or someone else."""
        records = self.records()
        return {
            key: describe_owner(
                key, settings, records.get(key), self.is_live, self.env_file, self.services_dir
            )
            for key in SERVICES
        }

    def learner_choice(self, key: str) -> str | None:
        return learner_choice(key, self.env_file, self.services_dir)

    # --- up -----------------------------------------------------------------------------

    def wanted_keys(self) -> list[str]:
        """The services `up` starts by default: the required ones, and each optional one that
        a lesson of this checkout lists in its lesson.toml (`services = [..., "gcs"]`)."""
        from course.lessons import LESSON_FOLDER

        listed: set[str] = set()
        for manifest in sorted(self.lessons_root.glob("[0-9][0-9]-*/lesson.toml")):
            try:
                if LESSON_FOLDER.match(manifest.parent.name):
                    listed |= set(tomllib.loads(manifest.read_text()).get("services", []))
            except (OSError, ValueError):  # a broken lesson.toml is `course list`'s to report
                continue
        return [key for key in SERVICES if key in required_keys() or key in listed]

    def up(self, keys: Iterable[str] | None = None, mode: str = "auto") -> UpReport:
        """Start every requested service that is not already running (see the module doc)."""
        began = time.monotonic()
        keys = list(keys or self.wanted_keys())
        report = UpReport(mode=choose_mode(mode))
        with self.store.lock("course services up"):
            report.notices += self.store.notices
            if report.mode == "docker":
                self.up_docker(keys, report)
            else:
                self.up_embedded(keys, report)
        report.seconds = time.monotonic() - began
        if report.failures:
            raise UpFailed(report)
        return report

    def up_docker(self, keys: list[str], report: UpReport) -> None:
        settings = self.settings()
        report.already_running = [key for key in keys if self.answers(key, settings)]
        missing = [key for key in keys if key not in report.already_running]
        if not missing:
            return
        # compose leaves running containers alone; --wait returns once every healthcheck
        # passes and the bucket job has finished
        run_compose(["up", "-d", "--wait"])
        defaults = {k: v for k, v in dotenv_values(ENV_EXAMPLE_FILE).items() if v is not None}
        values = {name: defaults[name] for key in missing for name in DOCKER_ENV_KEYS[key]}
        self.write_env(values | {"COURSE_SERVICES_MODE": "docker"}, report, "Docker mode")
        for key in missing:
            url = defaults[SERVICES[key].url_setting.upper()]
            self.store.save_record(key, Record("docker", {SERVICES[key].url_setting: url}))
        report.started = missing

    def up_embedded(self, keys: list[str], report: UpReport) -> None:
        settings, records = self.settings(), self.records()
        to_start = []
        for key in keys:
            reason = embedded_missing(key, self.services_dir)
            record = records.get(key)
            if reason:
                report.unavailable[key] = reason
            elif record and self.is_live(key, record):
                report.already_running.append(key)
            elif (choice := self.learner_choice(key)) and self.answers(key, settings):
                report.adopted[key] = choice
            else:
                if record:  # ours but not answering: stop it first; gone or not ours: forget
                    self.stop_recorded(key)
                    self.store.forget(key)
                to_start.append(key)
        chosen = {}
        for key in to_start:
            preferred = self.preferred_ports[key]
            chosen[key] = preferred if ports.port_is_free(preferred) else ports.free_port()
            if chosen[key] != preferred:
                report.moved_ports[key] = (preferred, chosen[key])
        launched, report.failures = start_all(
            {key: self.servers[key] for key in to_start}, chosen, self.store
        )
        for key in [key for key in report.failures if SERVICES[key].optional]:
            report.unavailable[key] = (
                f"{report.failures.pop(key)}; it is optional, so the others went on without it"
            )
        report.started = [key for key in to_start if key in launched]
        report.launched = launched
        report.moved_ports = {  # the ports really used (a start may have moved again)
            key: (self.preferred_ports[key], launched[key].port)
            for key in report.started
            if launched[key].port != self.preferred_ports[key]
        }
        records = self.records()
        values = {
            name.upper(): url
            for key in [*report.started, *report.already_running]
            for name, url in records[key].url_settings.items()
        }
        if values:
            values["COURSE_SERVICES_MODE"] = "embedded"
            self.write_env(values, report, "the embedded server this checkout runs")

    def write_env(self, values: dict[str, str], report: UpReport, why: str) -> None:
        """Set `values` in `.env`, say what changed, and remember them as the course's own."""
        # the course's own values: what it wrote before, and the defaults a fresh clone has
        defaults = {v for v in dotenv_values(ENV_EXAMPLE_FILE).values() if v is not None}
        ours = ports.remembered_values(self.services_dir) | defaults
        changes = update_env_file(
            self.env_file, values, reasons=dict.fromkeys(values, why), ours=ours
        )
        report.env_changes += [change.describe() for change in changes]
        ports.remember_values(self.services_dir, values.values())
        overridden = [name for name, new in values.items() if os.environ.get(name, new) != new]
        if overridden:
            report.notices.append(
                f"{', '.join(overridden)} set in the environment win over .env: unset them "
                f"to use the servers just started"
            )

    # --- down ---------------------------------------------------------------------------

    def down(self, keys: Iterable[str] | None = None) -> dict[str, str]:
        """Stop the recorded services (all by default); say for each what happened."""
        with self.store.lock("course services down"):
            records = self.records()
            keys = [key for key in (keys or list(records)) if key in records]
            results = {}
            docker_keys = [key for key in keys if records[key].mode == "docker"]
            if docker_keys:
                run_compose(["stop", *(n for key in docker_keys for n in COMPOSE_SERVICES[key])])
                results |= dict.fromkeys(docker_keys, "stopped")
            embedded = [key for key in keys if records[key].mode == "embedded"]
            with ThreadPoolExecutor(max(len(embedded), 1)) as pool:  # all at once: faster
                results |= dict(zip(embedded, pool.map(self.stop_recorded, embedded), strict=True))
            for key in keys:
                results.setdefault(key, "already gone")
                self.store.forget(key)
            return results

    def stop_recorded(self, key: str) -> str:
        record = self.records().get(key)
        if record is None or not record.pid:
            return "already gone"
        # this checkout's folder, not the record's: a copied state file names the
        # original's folder, and its servers are not ours to stop
        return self.servers[key].stop(record.pid, record.create_time, self.store.data_dir(key))

    def stop_launched(self, launched: dict[str, Record]) -> dict[str, str]:
        """Stop exactly the processes a run started (pid, start time, data folder).

        A server that another command restarted meanwhile has another pid: it is left alone.
        """
        with self.store.lock("course test"):
            current, results = self.records(), {}
            for key, record in launched.items():
                if not record.pid:
                    continue
                results[key] = self.servers[key].stop(
                    record.pid, record.create_time, self.store.data_dir(key)
                )
                now = current.get(key)
                if now and (now.pid, now.create_time) == (record.pid, record.create_time):
                    self.store.forget(key)
            return results

    # --- status -------------------------------------------------------------------------

    def status(self) -> list[ServiceStatus]:
        """Each service, its URL, who runs it, and a real round trip to it."""
        settings = self.settings()
        owners, records = self.owners(settings), self.records()

        def one(key: str) -> ServiceStatus:
            spec = SERVICES[key]
            started = time.perf_counter()
            try:
                answer, ok = spec.check(settings), True
            except ServiceUnavailable as error:
                answer, ok = error.reason, False
                missing = embedded_missing(key, self.services_dir)
                if missing and settings.course_services_mode == "embedded":
                    answer = missing
            milliseconds = (time.perf_counter() - started) * 1000
            run_by = owners[key].text
            if owners[key].ours and owners[key].text.startswith("embedded"):
                run_by += f"; {self.servers[key].version()}"  # Valkey behind "Redis 7.2.4"
            url = spec.url(settings)
            # an optional service counts once this checkout started it or the learner set it
            required = not spec.optional or key in records or bool(self.learner_choice(key))
            return ServiceStatus(key, spec.title, url, run_by, ok, answer, milliseconds, required)

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
    required: bool = True  # False: an optional service nobody asked for; down is no failure
