"""Point-in-time recovery: a base backup, archived WAL, and a restore to just before a mistake.

The tools behind `sql_pitr_demo.py`. A server that archives its write-ahead log (WAL) can be
brought back to any moment after a base backup: copy the backup into a new data folder, tell
the server where the archived WAL is (`restore_command`) and where to stop (a restore point's
name, an LSN or a time), create `recovery.signal`, and start it. It replays the WAL up to the
target and then opens for writes (`recovery_target_action = 'promote'`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from sql_backup import libpq_connection, postgres_tool, run_tool, server_major_version
from sqlalchemy import Engine, text

from course.services import private
from course.services.servers import ServiceStartError, embedded_servers
from course.services.servers.postgres import system_user

# the manual's example: never overwrite an archived file (production: a tool that fsyncs, part 1d)
ARCHIVE_COMMAND = "test ! -f '{archive}/%f' && cp %p '{archive}/%f'"
RESTORE_COMMAND = "cp '{archive}/%f' %p"
READY_SECONDS = 30


class RecoveryFailed(RuntimeError):
    """The restored server stopped before it reached its target; the message says why."""


def give_to_server_user(path: Path) -> None:
    """Hand `path` and everything in it to the user PostgreSQL runs as (as root: pgserver)."""
    user = system_user()
    if user is None:
        return  # not root: the server runs as ourselves and already owns it
    for folder, _folders, files in os.walk(path):
        for name in [folder, *(os.path.join(folder, file) for file in files)]:
            shutil.chown(name, user, user)


@contextmanager
def wal_archive() -> Iterator[Path]:
    """Yield an empty folder the server may archive WAL files into; delete it on exit."""
    folder = Path(tempfile.mkdtemp(prefix="course-wal-archive-"))
    try:
        give_to_server_user(folder)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def archiving_options(archive: Path) -> list[str]:
    """Return the server options that archive every finished WAL file into `archive`."""
    command = ARCHIVE_COMMAND.format(archive=archive)
    return ["-c", "wal_level=replica", "-c", "archive_mode=on", "-c", f"archive_command={command}"]


def base_backup(engine: Engine, target: Path, *, sync: bool = True) -> None:
    """Copy the whole server (every database, every role) into `target` with pg_basebackup."""
    tool = postgres_tool("pg_basebackup", major_version=server_major_version(engine))
    url = engine.url.render_as_string(hide_password=False)
    with libpq_connection(url) as (options, environment):
        # fast: checkpoint now instead of waiting; stream: the WAL written during the copy too
        command = [tool, *options, "--pgdata", target, "--checkpoint=fast", "--wal-method=stream"]
        # a backup not yet on disk is no backup; only a test's throwaway copy skips the fsyncs
        command += [] if sync else ["--no-sync"]
        run_tool(command, environment)


def archive_current_wal(engine: Engine) -> str:
    """Close the WAL file being written, wait until it is archived, and return its name."""
    with engine.connect() as connection:
        # the file that holds the last byte written so far (it ends just before the switch point)
        wanted = connection.scalar(text("SELECT pg_walfile_name(pg_switch_wal() - 1)"))
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            archived = connection.scalar(text("SELECT last_archived_wal FROM pg_stat_archiver"))
            if archived is not None and archived[:24] >= wanted:  # names sort in WAL order
                return wanted
            time.sleep(0.05)
            connection.rollback()  # a new snapshot: the statistics are read once per one
    raise TimeoutError(f"WAL file {wanted} was not archived within {READY_SECONDS}s")


def prepare_recovery(backup: Path, data: Path, archive: Path, target: Mapping[str, str]) -> None:
    """Copy the base backup to `data` and configure it to replay WAL up to `target`."""
    shutil.copytree(backup, data)
    settings = {
        "restore_command": RESTORE_COMMAND.format(archive=archive),
        **target,
        "recovery_target_action": "promote",  # once there, open for writes
    }
    with (data / "postgresql.auto.conf").open("a") as conf:
        for name, value in settings.items():
            escaped = value.replace("'", "''")
            conf.write(f"{name} = '{escaped}'\n")
    (data / "recovery.signal").touch()  # start in targeted recovery, not as a primary
    give_to_server_user(data)
    data.chmod(0o700)  # PostgreSQL refuses a data folder others can read


@contextmanager
def recovered_server(
    backup: Path, archive: Path, target: Mapping[str, str], *, server_options: Sequence[str] = ()
) -> Iterator[tuple[private.PrivateServer, float]]:
    """Restore `backup` to `target` on a new port; yield the server and seconds it took (RTO)."""
    began = time.perf_counter()
    home = Path(tempfile.mkdtemp(prefix=f"{private.PREFIX}pitr-"))  # swept if we die
    home.chmod(0o755)
    running = None
    try:
        with private.ending_on_signals():  # SIGTERM and SIGHUP still stop it and delete it
            prepare_recovery(backup, home / "data", archive, target)
            server = private.ExtraArguments(embedded_servers()["postgres"], server_options, {})
            try:
                running = private.start(server, home)
            except ServiceStartError as error:
                # the server's own words (its FATAL line) say why, not the failed connection
                fatal = server_fatal_line(server.log_file(home))
                raise RecoveryFailed(fatal or str(error)) from None
            wait_until_promoted(running, server.log_file(home))
            yield running, time.perf_counter() - began
    finally:
        if running is not None:
            running.stop()
        shutil.rmtree(home, ignore_errors=True)


def server_fatal_line(log_file: Path) -> str | None:
    """Return the last FATAL line of a server log, with a hint for an unreached target."""
    lines = log_file.read_text(errors="replace").splitlines() if log_file.exists() else []
    fatal = [line[line.index("FATAL:") :] for line in lines if "FATAL:" in line]
    if not fatal:
        return None
    hint = " (is every WAL file up to the target in the archive?)" if "target" in fatal[-1] else ""
    return fatal[-1] + hint


def wait_until_promoted(running: private.PrivateServer, log_file: Path) -> None:
    """Wait until the server has reached its target and accepts writes, or say why it stopped."""
    import psycopg

    libpq_url = running.url.replace("postgresql+psycopg", "postgresql")
    deadline = time.monotonic() + READY_SECONDS
    try:
        # it opens read-only once consistent (hot_standby), often long before the archive ends
        with psycopg.connect(libpq_url, autocommit=True) as connection:
            while time.monotonic() < deadline and running.is_running():
                if not connection.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    return
                time.sleep(0.05)
    except psycopg.OperationalError as error:
        failure = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
    else:
        failure = "it was still recovering"
    while time.monotonic() < deadline and running.is_running():
        time.sleep(0.05)  # a server that ran out of WAL is shutting down: its log says why
    if running.is_running():
        raise TimeoutError(f"the restored server did not open within {READY_SECONDS}s ({failure})")
    raise RecoveryFailed(server_fatal_line(log_file) or f"the restored server stopped ({failure})")
