"""The point-in-time recovery drill, run for real on a private PostgreSQL that archives its WAL.

Run `python 01-database/sql_pitr_demo.py`. You will see a base backup taken with
pg_basebackup, a product written after it (only the archived WAL has it), a restore point
recorded, a good write, then the mistake: `DELETE FROM order_lines` without its WHERE. The
backup is then restored twice into new data folders: to the restore point (the lines are
back, the good write after the point is lost) and to the LSN just before the DELETE (the lines
are back and nothing else is lost). Each restore prints its RPO (what it lost) and its RTO
(how long the copy, the replay and the opening took). Last, `pg_dumpall --globals-only`: the
roles, which a pg_dump of one database never contains.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sql_backup import libpq_connection, postgres_tool, server_major_version
from sql_models import make_engine
from sql_orm import create_sample_shop
from sql_pitr import (
    archive_current_wal,
    archiving_options,
    base_backup,
    recovered_server,
    wal_archive,
)
from sqlalchemy import Engine, text

from course.services.private import private_server

RESTORE_POINT = "before-cleanup"


@dataclass(frozen=True)
class History:
    """What the drill wrote and when, to check a restored server against."""

    lines_before: int  # order lines before the mistake
    mistake_lsn: str  # where the DELETE's WAL begins
    seconds_lost_at_point: float  # from the restore point to the mistake


def add_product(engine: Engine, sku: str) -> None:
    """Commit one product: a write that must survive (or is lost with) a restore."""
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO products (sku, name, price_cents) VALUES (:sku, :sku, 100)"),
            {"sku": sku},
        )


def write_history(engine: Engine, backup: Path, *, sync: bool = True) -> History:
    """Back up, write, record a restore point, write again, then make the mistake."""
    base_backup(engine, backup, sync=sync)
    add_product(engine, "AFTER-BACKUP")  # after the backup: only the archived WAL has it
    with engine.begin() as connection:
        point_at = connection.scalar(text("SELECT clock_timestamp()"))
        connection.execute(text("SELECT pg_create_restore_point(:name)"), {"name": RESTORE_POINT})
    add_product(engine, "AFTER-POINT")  # a good write between the restore point and the mistake
    with engine.begin() as connection:
        lines_before = connection.scalar(text("SELECT count(*) FROM order_lines"))
        mistake_lsn = connection.scalar(text("SELECT pg_current_wal_insert_lsn()::text"))
        mistake_at = connection.scalar(text("SELECT clock_timestamp()"))
        connection.execute(text("DELETE FROM order_lines"))  # the mistake: no WHERE
    return History(lines_before, mistake_lsn, (mistake_at - point_at).total_seconds())


def shop_state(url: str) -> tuple[int, list[str]]:
    """Return the order-line count and the drill's product SKUs of one server."""
    engine = make_engine(url)
    with engine.connect() as connection:
        lines = connection.scalar(text("SELECT count(*) FROM order_lines"))
        skus = connection.scalars(text("SELECT sku FROM products WHERE sku LIKE 'AFTER-%'"))
        state = lines, sorted(skus)
    engine.dispose()
    return state


def global_objects(engine: Engine) -> list[str]:
    """Return the CREATE ROLE lines of `pg_dumpall --globals-only` (roles, not data)."""
    tool = postgres_tool("pg_dumpall", major_version=server_major_version(engine))
    url = engine.url.render_as_string(hide_password=False)
    with libpq_connection(url) as (options, environment):
        command = [tool, *options, "--globals-only", "--no-role-passwords"]
        dump = subprocess.run(command, env=environment, check=True, capture_output=True, text=True)
    return [line for line in dump.stdout.splitlines() if line.startswith("CREATE ROLE")]


def main() -> None:
    with wal_archive() as archive, tempfile.TemporaryDirectory() as folder:
        with private_server("postgres", extra_args=archiving_options(archive)) as primary:
            engine = make_engine(primary.url)
            create_sample_shop(engine)
            backup = Path(folder) / "base"
            history = write_history(engine, backup)
            print(f"1. Base backup: {sum(1 for _ in backup.rglob('*')):,} files in {backup.name}/")
            print(f"2. The mistake: DELETE FROM order_lines at LSN {history.mistake_lsn}")
            print(f"   the primary now has {shop_state(primary.url)[0]} order lines")
            print(f"3. Archived WAL up to {archive_current_wal(engine)}")
            roles = global_objects(engine)
            engine.dispose()
        targets = {
            f"restore point {RESTORE_POINT!r}": {"recovery_target_name": RESTORE_POINT},
            f"LSN {history.mistake_lsn}, exclusive": {
                "recovery_target_lsn": history.mistake_lsn,
                "recovery_target_inclusive": "off",
            },
        }
        for step, (label, target) in enumerate(targets.items(), start=4):
            with recovered_server(backup, archive, target) as (restored, rto):
                lines, skus = shop_state(restored.url)
            print(f"{step}. Restored to the {label}: {lines} order lines, products {skus}")
            lost = "AFTER-POINT" not in skus
            rpo = (
                f"{history.seconds_lost_at_point:.3f} s of writes lost (AFTER-POINT)"
                if lost
                else "0 s, nothing lost"
            )
            print(f"   RPO: {rpo}; RTO (copy, replay, open): {rto:.1f} s")
    print(f"6. pg_dumpall --globals-only: {len(roles)} role(s), e.g. {roles[0]}")
    print("Conclusion: a base backup and archived WAL bring back any moment after the backup;")
    print("stop just before the mistake (its LSN) and you lose nothing else. A pg_dump only")
    print("brings back its own moment, and no roles: keep pg_dumpall --globals-only beside it.")


if __name__ == "__main__":
    main()
