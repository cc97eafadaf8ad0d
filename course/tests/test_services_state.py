"""`.services/`: records written at once, one command at a time, a corrupt file repaired.

The lock is contended by two real processes, the corrupt file is rebuilt from a real running
server, and the read-only folder is really read-only (a read-only bind mount when we are
root, whom file modes do not stop).
"""

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from course.services.claims import Holder, StateLocked
from course.services.state import Record, StateStore
from course.tests.standins import LISTENING_SERVER, finish

LOCK_AND_WAIT = (
    "import sys\n"
    "from pathlib import Path\n"
    "from course.services.state import StateStore\n"
    "with StateStore(Path(sys.argv[1])).lock('course services up'):\n"
    "    print('locked', flush=True)\n"
    "    sys.stdin.read()\n"
)
# like PostgreSQL: a listening server whose worker processes share its folder
SERVER_WITH_WORKERS = LISTENING_SERVER.replace(
    "print(",
    "import subprocess\nworkers = [subprocess.Popen(['sleep', '60']) for _ in 'ab']\nprint(",
)


def redis_record(pid: int = 4242) -> Record:
    return Record("embedded", {"redis_url": "redis://127.0.0.1:6390/0"}, 6390, pid, 1.5)


@pytest.fixture
def store(tmp_path) -> StateStore:
    return StateStore(tmp_path / ".services")


@pytest.fixture
def lock_holder(store):
    """Another process, holding the lock until the test lets it go."""
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_AND_WAIT, str(store.services_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline() == "locked\n"
    yield holder
    finish(holder)


def test_each_record_is_on_disk_as_soon_as_it_is_saved(store):
    store.save_record("redis", redis_record())
    store.save_record("s3", Record("embedded", {}, 9100, 4343, 2.5))

    on_disk = json.loads(store.state_file.read_text())
    assert set(on_disk) == {"redis", "s3"}
    assert StateStore(store.services_dir).load()["redis"] == redis_record()


def test_forget_drops_one_record_and_keeps_the_others(store):
    store.save_record("redis", redis_record())
    store.save_record("s3", Record("embedded", {}, 9100, 4343, 2.5))

    store.forget("redis")

    assert list(store.load()) == ["s3"]


def test_a_state_file_from_an_older_version_still_loads(store):
    store.services_dir.mkdir()
    old = {
        "redis": {
            "mode": "embedded",
            "url_settings": {},
            "port": 6379,
            "pid": 7,
            "create_time": 1.0,
        }
    }
    store.state_file.write_text(json.dumps(old))

    assert store.load()["redis"] == Record("embedded", {}, 6379, 7, 1.0, None, None)


def test_a_second_command_waits_briefly_then_says_who_holds_the_lock(store, lock_holder):
    with (
        pytest.raises(StateLocked) as refused,
        store.lock("course services down", wait_seconds=0.3),
    ):
        pass

    message = str(refused.value)
    assert f"pid {lock_holder.pid}: `course services up`" in message
    assert "wait for it to finish" in message and "\n" not in message


def test_a_waiting_command_gets_the_lock_once_the_other_finishes(store, lock_holder):
    acquired = threading.Event()

    def take_lock() -> None:
        with store.lock("course services down", wait_seconds=60):
            acquired.set()

    waiter = threading.Thread(target=take_lock)
    waiter.start()
    assert not acquired.wait(0.3)  # still held by the other process
    lock_holder.stdin.close()  # the other command finishes
    waiter.join()

    assert acquired.is_set()


def test_the_lock_is_reentrant_within_one_command(store):
    another_store_of_the_same_folder = StateStore(store.services_dir)
    with (
        store.lock("course reset-services"),
        another_store_of_the_same_folder.lock("course services up", wait_seconds=0),
    ):
        store.save_record("redis", redis_record())

    assert "redis" in store.load()


def test_another_thread_waits_for_the_lock_like_another_process(store):
    inside = []

    def take_lock() -> None:
        try:
            with store.lock("course services down", wait_seconds=0):
                inside.append("down")
        except StateLocked:
            inside.append("refused")

    with store.lock("course services up"):
        waiter = threading.Thread(target=take_lock)
        waiter.start()
        waiter.join()

    assert inside == ["refused"]


def test_a_corrupt_state_file_is_kept_and_rebuilt_from_this_checkouts_servers(store, tmp_path):
    store.data_dir("redis").mkdir(parents=True)
    store.state_file.write_text('{"redis": {"mode": "embed')
    (tmp_path / "elsewhere").mkdir()
    ours = subprocess.Popen(
        [sys.executable, "-c", LISTENING_SERVER],
        cwd=store.data_dir("redis"),
        stdout=subprocess.PIPE,
        text=True,
    )
    others = subprocess.Popen([sys.executable, "-c", LISTENING_SERVER], cwd=tmp_path / "elsewhere")
    try:
        port = int(ours.stdout.readline())

        records = store.load()

        assert list(records) == ["redis"]
        assert (records["redis"].pid, records["redis"].port) == (ours.pid, port)
        assert records["redis"].create_time == psutil.Process(ours.pid).create_time()
        backups = list(store.services_dir.glob("state.json.corrupt-*"))
        assert [backup.read_text() for backup in backups] == ['{"redis": {"mode": "embed']
        assert json.loads(store.state_file.read_text())["redis"]["pid"] == ours.pid
        assert backups[0].name in store.notices[0] and "rebuilt" in store.notices[0]
    finally:
        finish(ours, others)


@pytest.fixture
def read_only_services(store) -> Iterator[Path]:
    """`.services/` that this process cannot write, even as root."""
    store.services_dir.mkdir()
    if os.geteuid() != 0:
        store.services_dir.chmod(0o555)
    yield store.services_dir
    store.services_dir.chmod(0o755)


def run_against_read_only_folder(folder: Path, code: str) -> subprocess.CompletedProcess:
    """Run `code` with `folder` read-only: a bind mount as root, file modes otherwise."""
    command = [sys.executable, "-c", code, str(folder)]
    if os.geteuid() == 0:
        mount = f'mount --bind -o ro {folder} {folder} && exec "$@"'
        command = ["unshare", "-m", "sh", "-c", mount, "sh", *command]
    return subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).parents[2])


@pytest.mark.parametrize(
    "action",
    [
        "with store.lock('course services up'): pass",
        "store.save_record('redis', Record('embedded', {}))",
        "with store.hold('course test'): pass",
    ],
)
def test_a_read_only_services_folder_is_one_clear_line(read_only_services, action):
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from course.services.state import Record, StateError, StateStore\n"
        "store = StateStore(Path(sys.argv[1]))\n"
        f"try:\n    {action}\nexcept StateError as error:\n    print(error)\n"
    )

    result = run_against_read_only_folder(read_only_services, code)

    assert result.stderr == ""
    assert result.stdout.startswith(f"cannot write {read_only_services}/")
    assert f"make {read_only_services} writable" in result.stdout
    assert result.stdout.count("\n") == 1


def test_a_test_run_holding_the_services_is_seen_by_another_command(store):
    holder_code = (
        "import sys\nfrom pathlib import Path\nfrom course.services.state import StateStore\n"
        "with StateStore(Path(sys.argv[1])).hold('course test'):\n"
        "    print('holding', flush=True)\n    sys.stdin.read()\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", holder_code, str(store.services_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert run.stdout.readline() == "holding\n"

    seen = store.holders()
    run.stdin.close()
    run.wait()

    assert [(holder.pid, holder.command) for holder in seen] == [(run.pid, "course test")]
    assert store.holders() == []
    finish(run)


def test_a_holder_whose_process_ended_is_ignored_and_removed(store):
    store.holders_dir.mkdir(parents=True)
    # our pid with another start time: a run that ended long ago, whose pid was reused
    stale = {"pid": os.getpid(), "create_time": 12.0, "command": "course test"}
    (store.holders_dir / "1.json").write_text(json.dumps(stale))
    (store.holders_dir / "2.json").write_text("not json")

    assert store.holders(include_self=True) == []
    assert list(store.holders_dir.iterdir()) == []


def test_a_command_does_not_count_its_own_hold(store):
    with store.hold("course test") as me:
        assert store.holders() == []
        assert store.holders(include_self=True) == [me]
    assert me == Holder(os.getpid(), psutil.Process().create_time(), "course test")


def test_an_unusable_record_is_treated_as_corrupt_not_as_a_traceback(store):
    store.services_dir.mkdir()
    store.state_file.write_text(json.dumps({"redis": {"mode": "podman"}}))

    assert store.load() == {}
    assert "unreadable" in store.notices[0]


def test_a_server_started_under_the_lock_does_not_keep_it(store):
    with store.lock("course services up"):
        # close_fds=False: a server gets every inheritable descriptor, as a child of a child would
        server = subprocess.Popen(["sleep", "60"], cwd=store.services_dir, close_fds=False)
    try:
        # another command gets the lock at once although the server still runs
        subprocess.run(
            [sys.executable, "-c", LOCK_AND_WAIT, str(store.services_dir)],
            input="", capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
    finally:
        finish(server)


def test_records_copied_from_another_checkout_are_foreign(tmp_path):
    original = StateStore(tmp_path / "course" / ".services")
    copy = StateStore(tmp_path / "course-copy" / ".services")
    record = redis_record()
    record.checkout = str(original.checkout)

    assert not original.is_foreign(record)
    assert copy.is_foreign(record)


def test_a_rebuilt_record_names_the_server_not_its_workers_or_a_shell_in_its_folder(store):
    folder = store.data_dir("postgres")
    folder.mkdir(parents=True)
    store.state_file.write_text("")
    shell = subprocess.Popen(["sleep", "60"], cwd=folder)  # a learner's `cd .services/postgres`
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER_WITH_WORKERS], cwd=folder, stdout=subprocess.PIPE, text=True
    )
    try:
        port = int(server.stdout.readline())  # printed once its workers run

        records = store.load()

        assert [(key, record.pid, record.port) for key, record in records.items()] == [
            ("postgres", server.pid, port)
        ]
    finally:
        for worker in psutil.Process(server.pid).children():
            worker.kill()
        finish(server, shell)


def test_a_lock_holder_killed_with_sigkill_does_not_block_the_next_command(store, lock_holder):
    lock_holder.kill()  # no chance to clean up: the kernel releases its lock
    lock_holder.wait()

    with store.lock("course services up", wait_seconds=0):
        store.save_record("redis", redis_record())

    assert "redis" in store.load()
