"""Recorded server processes: a zombie has stopped, a copy's record is not ours, scripts run.

Real processes throughout: a zombie whose parent does not reap it, a checkout copied with
`cp -r` while its server runs, a console script whose shebang names a moved venv.
"""

import contextlib
import logging
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from course.services import process
from course.tests.standins import LISTENING_SERVER, finish

# a parent that starts `sleep` in the folder it is given and never reaps it
UNREAPING_PARENT = (
    "import subprocess, sys\n"
    "child = subprocess.Popen(['sleep', '60'], cwd=sys.argv[1])\n"
    "print(child.pid, flush=True)\n"
    "sys.stdin.read()\n"
)


@pytest.fixture
def spawn() -> Iterator[Callable[..., subprocess.Popen]]:
    """Start real processes for a test; kill whatever is left of them afterwards."""
    started: list[subprocess.Popen] = []

    def start(command: list[str], **options) -> subprocess.Popen:
        started.append(subprocess.Popen(command, **options))
        return started[-1]

    yield start
    for child in started:
        with contextlib.suppress(psutil.Error):
            for leftover in psutil.Process(child.pid).children(recursive=True):
                leftover.kill()
        finish(child)


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    """Poll until `condition` holds (the processes start in parallel with the test)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the processes never got there"
        time.sleep(0.01)


def server_in(folder: Path, spawn) -> psutil.Process:
    """A stand-in server: a real process whose working directory is its data folder."""
    folder.mkdir(parents=True, exist_ok=True)
    return psutil.Process(spawn(["sleep", "60"], cwd=folder).pid)


def test_a_zombie_counts_as_stopped(spawn, tmp_path):
    parent = spawn([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    zombie = spawn(["true"])  # our child: it stays a zombie until we wait for it
    wait_for(lambda: psutil.Process(zombie.pid).status() == psutil.STATUS_ZOMBIE)

    assert not process.is_alive(zombie.pid, psutil.Process(zombie.pid).create_time())
    assert process.is_alive(parent.pid, psutil.Process(parent.pid).create_time())


def test_stopping_a_server_that_becomes_a_zombie_neither_waits_nor_kills(spawn, tmp_path, caplog):
    parent = spawn(
        [sys.executable, "-c", UNREAPING_PARENT, str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    server = psutil.Process(int(parent.stdout.readline()))

    with caplog.at_level(logging.WARNING):
        result = process.stop(server.pid, server.create_time(), tmp_path, timeout=30)

    assert result == "stopped"
    assert server.status() == psutil.STATUS_ZOMBIE  # its parent never reaps it
    assert "did not stop" not in caplog.text


def test_a_recycled_pid_is_not_the_recorded_server(spawn, tmp_path):
    server = server_in(tmp_path / "redis", spawn)

    assert process.is_alive(server.pid, server.create_time())
    assert not process.is_alive(server.pid, server.create_time() - 3600)
    assert (
        process.stop(server.pid, server.create_time() - 3600, tmp_path / "redis") == "already gone"
    )
    assert server.is_running()


def test_a_copied_checkout_does_not_stop_the_originals_server(spawn, tmp_path):
    original, copy = tmp_path / "course", tmp_path / "course-copy"
    server = server_in(original / ".services" / "redis", spawn)
    shutil.copytree(original, copy)  # what `cp -r` does while the server runs

    assert process.belongs_to(server.pid, server.create_time(), original / ".services" / "redis")
    assert not process.belongs_to(server.pid, server.create_time(), copy / ".services" / "redis")
    assert (
        process.stop(server.pid, server.create_time(), copy / ".services" / "redis") == "not ours"
    )
    assert server.is_running()


def test_a_server_naming_its_data_folder_in_its_arguments_belongs_to_that_folder(spawn, tmp_path):
    data = tmp_path / "course" / ".services" / "mongo"
    data.mkdir(parents=True)
    command = [sys.executable, "-c", "import time; time.sleep(60)", f"--storage-path={data}/db"]
    server = psutil.Process(spawn(command, cwd=tmp_path).pid)
    # the kernel fills in a new program's command line a moment after the exec is reported
    wait_for(lambda: server.cmdline() == command)

    assert process.belongs_to(server.pid, server.create_time(), data)
    assert not process.belongs_to(server.pid, server.create_time(), data.with_name("mong"))
    assert not process.belongs_to(
        server.pid, server.create_time(), tmp_path / "copy" / ".services" / "mongo"
    )


def test_stop_ends_the_server_and_its_children(spawn, tmp_path):
    folder = tmp_path / "postgres"
    folder.mkdir()
    # a parent that leaves its children running when it exits
    server = psutil.Process(spawn(["sh", "-c", "sleep 60 & sleep 60 & wait"], cwd=folder).pid)
    wait_for(lambda: len(server.children()) == 2)
    children = server.children()

    assert process.stop(server.pid, server.create_time(), folder, timeout=1) == "stopped"
    assert not any(process.is_alive(child.pid, child.create_time()) for child in children)
    assert not process.is_alive(server.pid, server.create_time())


def test_listening_ports_include_those_of_the_servers_children(spawn):
    # like PostgreSQL started by a wrapper: the port is held by a child
    command = ["sh", "-c", f'"{sys.executable}" -c "$0" & wait', LISTENING_SERVER]
    wrapper = spawn(command, stdout=subprocess.PIPE, text=True)
    port = int(wrapper.stdout.readline())

    assert process.listening_ports(wrapper.pid) == {port}
    assert process.listening_ports(wrapper.pid + 10**7) == set()  # no such process


def test_a_child_that_ends_while_being_waited_for_is_reaped_not_left_a_zombie(monkeypatch):
    from course.services import process as processes

    child = subprocess.Popen(["sleep", "0.3"])
    made = psutil.Process(child.pid).create_time()
    real_reap = processes.reap

    def reap_then_let_it_end(pid, create_time=None):
        # the worst moment: the child exits right after a reap found it still running
        real_reap(pid, create_time)
        deadline = time.monotonic() + 5
        with contextlib.suppress(psutil.NoSuchProcess):
            while psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                assert time.monotonic() < deadline
                time.sleep(0.01)

    monkeypatch.setattr(processes, "reap", reap_then_let_it_end)
    assert processes.wait_until_gone({child.pid: made}, timeout=5) == {}

    with contextlib.suppress(psutil.NoSuchProcess):  # reaped: the pid is gone
        assert psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE, "left a zombie"
    child.returncode = 0  # reaped by the course, not by Popen: keep its __del__ quiet
