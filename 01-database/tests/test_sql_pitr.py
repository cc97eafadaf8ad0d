"""A base backup and archived WAL restore the server to just before a mistake, and no further."""

import pytest
from sql_backup import BackupToolFailed
from sql_models import make_engine
from sql_orm import create_sample_shop
from sql_pitr import (
    ARCHIVE_COMMAND,
    RecoveryFailed,
    archive_current_wal,
    archiving_options,
    base_backup,
    recovered_server,
    wal_archive,
)
from sql_pitr_demo import (
    add_product,
    global_objects,
    lost_writes,
    restore_targets,
    shop_state,
    write_history,
)
from sqlalchemy import event, text

from course.services.private import private_server

# durability is not what these tests check, and fsyncs on a shared disk cost seconds
NO_FSYNC = ["-c", "fsync=off"]
# one drill for the module, on one xdist worker (under --dist loadgroup), not one per worker
pytestmark = pytest.mark.xdist_group("sql-pitr")


def note_the_mistake(connection, _cursor, statement, *_):
    if statement.startswith("DELETE FROM order_lines"):
        connection.info["mistake"] = True


def commit_beside(engine, connection):
    """Just before the mistake's COMMIT, another session commits a product of its own."""
    if connection.info.pop("mistake", False):
        add_product(engine, "AFTER-OTHER-SESSION")


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """One primary's history, written once: base backup, writes, restore point, the mistake."""
    backup = tmp_path_factory.mktemp("pitr") / "base"
    with wal_archive() as archive:
        options = archiving_options(archive) + NO_FSYNC
        with private_server("postgres", extra_args=options) as primary:
            engine = make_engine(primary.url)
            create_sample_shop(engine)
            # a real shop goes on while the mistake runs: another session commits between
            # the DELETE and its COMMIT, so the mistake's commit is not the next WAL record
            event.listen(engine, "before_cursor_execute", note_the_mistake)
            event.listen(engine, "commit", lambda connection: commit_beside(engine, connection))
            history = write_history(engine, backup, sync=False)
            closed = archive_current_wal(engine)
            # archived while the primary still runs (stopping it would archive the rest anyway)
            assert (archive / closed).is_file(), f"{closed} is not in the archive yet"
            state, roles = shop_state(primary.url), global_objects(engine)
            engine.dispose()
        yield backup, archive, history, state, roles


def test_the_mistake_happened_on_the_primary(drill):
    _backup, _archive, history, (lines, skus), _roles = drill

    assert history.lines_before == 5
    assert (lines, skus) == (
        0,
        ["AFTER-BACKUP", "AFTER-MISTAKE", "AFTER-OTHER-SESSION", "AFTER-POINT"],
    )


def test_recovery_to_just_before_the_deletes_commit_loses_only_what_came_after(drill):
    backup, archive, history, _state, _roles = drill
    _at_the_point, target = restore_targets(history).values()  # the demo's own targets

    with recovered_server(backup, archive, target, server_options=NO_FSYNC) as (server, _rto):
        lines, skus = shop_state(server.url)
        engine = make_engine(server.url)
        with engine.connect() as connection:  # promoted: it takes writes
            writable = connection.exec_driver_sql("SELECT NOT pg_is_in_recovery()").scalar()
        engine.dispose()  # else its pooled connection is left open for the garbage collector

    assert lines == history.lines_before  # the deleted lines are back
    # the writes after the backup kept, the other session's commit before the DELETE's too, but
    assert skus == ["AFTER-BACKUP", "AFTER-OTHER-SESSION", "AFTER-POINT"]
    # not the one after the mistake: the whole server went back
    assert writable


def test_recovery_to_the_deletes_commit_inclusive_replays_it_and_the_lines_stay_deleted(drill):
    backup, archive, history, _state, _roles = drill
    _at_the_point, exclusive = restore_targets(history).values()
    inclusive = {**exclusive, "recovery_target_inclusive": "on"}  # PostgreSQL's default

    with recovered_server(backup, archive, inclusive, server_options=NO_FSYNC) as (server, _rto):
        lines, skus = shop_state(server.url)

    assert lines == 0  # the DELETE's commit record (the target xid) was replayed: it stands
    assert skus == ["AFTER-BACKUP", "AFTER-OTHER-SESSION", "AFTER-POINT"]


def test_recovery_to_the_restore_point_loses_the_write_made_after_it(drill):
    backup, archive, history, _state, _roles = drill
    target, _exclusive = restore_targets(history).values()

    with recovered_server(backup, archive, target, server_options=NO_FSYNC) as (server, _rto):
        lines, skus = shop_state(server.url)

    assert lines == history.lines_before
    assert skus == ["AFTER-BACKUP"]  # replayed from the archive; AFTER-POINT came after the point


def test_the_base_backup_alone_restores_the_moment_it_ended_without_the_archive(drill):
    backup, _archive, history, _state, _roles = drill

    # the WAL written during the copy is in the backup (streamed): no archive needed to open it
    with (
        wal_archive() as empty,
        recovered_server(
            backup, empty, {"recovery_target": "immediate"}, server_options=NO_FSYNC
        ) as (server, _rto),
    ):
        lines, skus = shop_state(server.url)

    assert (lines, skus) == (history.lines_before, [])  # AFTER-BACKUP is only in the archive


def test_globals_only_dumps_the_roles(drill):
    *_rest, roles = drill

    assert "CREATE ROLE course;" in roles


def held_back_restore_command(archive) -> str:
    """The drill's restore_command, but once the server is open, the archive's end answers late.

    The server opens read-only (hot_standby) as soon as it is consistent, before it asks for
    the first WAL file the archive lacks; answering that request a second late, as a long
    replay would, makes the restore fail after a client has connected, every time. (A request
    made before the server opened, WAL read ahead, is answered at once: it would hold up the
    replay that opens it.)
    """
    opened = "grep -q 'ready to accept read-only' ../postgres.log"  # the data folder's sibling
    wait_open = f"for _ in 1 2 3 4 5 6 7 8 9 10; do {opened} && sleep 1 && break; sleep 0.1; done"
    return f"test -f '{archive}/%f' || case %f in *.history) ;; *) {wait_open};; esac; " + (
        f"cp '{archive}/%f' %p"
    )


def test_a_target_past_the_archive_is_refused_with_the_servers_reason_after_it_opened(drill):
    backup, archive, _history, _state, _roles = drill
    past_the_archive = {
        "recovery_target_lsn": "FFFF/0",
        "restore_command": held_back_restore_command(archive),
    }

    with (
        pytest.raises(RecoveryFailed, match="recovery ended before configured recovery target"),
        recovered_server(backup, archive, past_the_archive, server_options=NO_FSYNC),
    ):
        pytest.fail("a server that never reached its target opened")


def test_archive_current_wal_returns_only_once_the_file_is_in_the_archive():
    with wal_archive() as archive:
        slow = f"archive_command=sleep 1 && {ARCHIVE_COMMAND.format(archive=archive)}"
        options = [*archiving_options(archive)[:-1], slow, *NO_FSYNC]  # a slow archiver
        with private_server("postgres", extra_args=options) as primary:
            engine = make_engine(primary.url)
            # an earlier file already archived, as after every base backup: waiting for "any
            # archived file" would then return at once, before this one is in the archive
            earlier = archive_current_wal(engine)
            with engine.begin() as connection:
                connection.execute(text("CREATE TABLE written_after AS SELECT 1 AS n"))
            closed = archive_current_wal(engine)
            archived = (archive / closed).is_file()
            engine.dispose()

    assert closed > earlier  # WAL file names sort in WAL order
    assert archived, f"{closed} was not in the archive yet"


def test_a_failed_base_backup_says_the_tools_own_reason(engine, tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "left-over").touch()  # pg_basebackup wants an empty folder

    with pytest.raises(BackupToolFailed, match=r"^pg_basebackup failed: pg_basebackup: error: "):
        base_backup(engine, tmp_path / "base", sync=False)


def test_the_lost_write_is_named_with_the_window_it_was_written_in_not_as_a_time_before():
    at_the_point = lost_writes(["AFTER-BACKUP"], seconds_before_mistake=0.019)

    assert at_the_point == (
        "AFTER-POINT (written in the 0.019 s between the restore point and the mistake),"
        " AFTER-MISTAKE (written after it)"
    )
    assert lost_writes(["AFTER-BACKUP", "AFTER-POINT"], seconds_before_mistake=0.019) == (
        "AFTER-MISTAKE (written after it)"
    )
