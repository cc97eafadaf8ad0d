"""The point-in-time recovery drill, run for real on a private PostgreSQL that archives its WAL.

Run `python 01-database/sql_pitr_demo.py`. You will see a base backup taken with
pg_basebackup, a product written after it (only the archived WAL has it), a restore point
recorded, a good write, then the mistake: `DELETE FROM order_lines` without its WHERE, and a
product written after it. The backup is then restored twice into new data folders: to the
restore point (the lines are back, the good write after the point is lost) and to just before
the DELETE's transaction commits (`recovery_target_xid`: the lines are back and so is the
good write). Both lose the
product written after the mistake: a restore rewinds the whole server. Each prints what it
lost and how long the copy, the replay and the opening took. Last, `pg_dumpall
--globals-only`: the roles, which a pg_dump of one database never contains.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sql_backup import libpq_connection, postgres_tool, run_tool, server_major_version
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
    mistake_xid: str  # the DELETE's transaction: stop just before its commit
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
        mistake_at = connection.scalar(text("SELECT clock_timestamp()"))
        connection.execute(text("DELETE FROM order_lines"))  # the mistake: no WHERE
        # the transaction, not a WAL position read here: another session's records may land
        # between this point and our COMMIT, and an LSN target would stop on one of them
        mistake_xid = connection.scalar(text("SELECT pg_current_xact_id()::text"))
    add_product(engine, "AFTER-MISTAKE")  # the shop goes on: a restore rewinds this one too
    return History(lines_before, mistake_xid, (mistake_at - point_at).total_seconds())


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
        dump = run_tool(command, environment)
    return [line for line in dump.splitlines() if line.startswith("CREATE ROLE")]


def restore_targets(history: History) -> dict[str, dict[str, str]]:
    """Return the demo's recovery targets by label: the restore point, then the DELETE's xid."""
    return {
        f"restore point {RESTORE_POINT!r}": {"recovery_target_name": RESTORE_POINT},
        f"transaction {history.mistake_xid} (the DELETE), exclusive": {
            "recovery_target_xid": history.mistake_xid,
            "recovery_target_inclusive": "off",  # on would replay the commit: lines gone
        },
    }


def lost_writes(skus: list[str], *, seconds_before_mistake: float) -> str:
    """Say which of the drill's later products a restored server lacks, and when each came."""
    window = f"{seconds_before_mistake:.3f} s between the restore point and the mistake"
    lost = [] if "AFTER-POINT" in skus else [f"AFTER-POINT (written in the {window})"]
    lost += [] if "AFTER-MISTAKE" in skus else ["AFTER-MISTAKE (written after it)"]
    return ", ".join(lost) or "nothing"


def main() -> None:
    with wal_archive() as archive, tempfile.TemporaryDirectory() as folder:
        with private_server("postgres", extra_args=archiving_options(archive)) as primary:
            engine = make_engine(primary.url)
            create_sample_shop(engine)
            backup = Path(folder) / "base"
            history = write_history(engine, backup)
            print(f"1. Base backup: {sum(1 for _ in backup.rglob('*')):,} files in {backup.name}/")
            print(f"2. The mistake: DELETE FROM order_lines, transaction {history.mistake_xid}")  # nosec B608  # a printed message, not a query
            lines, skus = shop_state(primary.url)
            print(f"   the primary now has {lines} order lines, and the products {skus}")
            print(f"3. Archived WAL up to {archive_current_wal(engine)}")
            roles = global_objects(engine)
            engine.dispose()
        point = history.seconds_lost_at_point
        for step, (label, target) in enumerate(restore_targets(history).items(), start=4):
            with recovered_server(backup, archive, target) as (restored, took):
                lines, skus = shop_state(restored.url)
            print(f"{step}. Restored to the {label}: {lines} order lines, products {skus}")
            lost = lost_writes(skus, seconds_before_mistake=point)
            print(f"   lost by this restore: {lost}; time to restore: {took:.1f} s")
    print(f"6. pg_dumpall --globals-only: {len(roles)} role(s), e.g. {roles[0]}")
    print("Conclusion: a base backup and archived WAL bring back any moment after the backup,")
    print("but the whole server goes back: what was written after the mistake is gone too, so")
    print("restore beside the primary and copy the lost rows back. A pg_dump only brings back")
    print("its own moment, and no roles: keep pg_dumpall --globals-only beside it.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
