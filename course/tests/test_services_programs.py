"""Starting servers' programs: in their own session, and through this Python.

A console script whose shebang names a moved venv is real (written here, run for real);
the spawned server is a real process, stopped at the end.
"""

import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course.services import process, programs


def wait_for_text(path: Path, timeout: float = 60) -> str:
    """The file's text once something is in it (the server writes it in parallel)."""
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, f"nothing was written to {path}"
        time.sleep(0.01)
    return path.read_text()


def test_a_console_script_runs_through_this_python_after_the_checkout_moved(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "hello_server"
    script.write_text("#!/old/place/.venv/bin/python\nprint('hello from', __name__)\n")
    script.chmod(0o755)
    with pytest.raises(FileNotFoundError):
        subprocess.run([str(script)])  # the kernel follows the stale shebang line

    command = programs.console_script("hello_server", bin_dir=bin_dir)

    assert command == [sys.executable, str(script)]
    assert subprocess.run(command, capture_output=True, text=True).stdout == "hello from __main__\n"


def test_a_program_beside_python_that_is_not_a_python_script_runs_as_it_is(tmp_path):
    program = tmp_path / "server"
    program.write_bytes(Path(shutil.which("true")).read_bytes())
    program.chmod(0o755)

    assert programs.console_script("server", bin_dir=tmp_path) == [str(program)]


def test_a_missing_program_says_how_to_install_it(tmp_path):
    with pytest.raises(programs.ProgramNotFound, match="make install"):
        programs.console_script("no-such-server-program", bin_dir=tmp_path)


def test_a_spawned_server_runs_in_its_folder_in_its_own_session_and_logs(tmp_path):
    home, log_file = tmp_path / "redis", tmp_path / "redis" / "redis.log"
    script = "import os, time; print('ready in', os.getcwd(), flush=True); time.sleep(60)"

    server = programs.spawn([sys.executable, "-c", script], home, log_file)
    try:
        assert wait_for_text(log_file) == f"ready in {home}\n"
        assert server.cwd() == str(home)
        assert os.getsid(server.pid) == server.pid  # Ctrl-C in our terminal does not reach it
        assert process.belongs_to(server.pid, server.create_time(), home)
    finally:
        assert process.stop(server.pid, server.create_time(), home) == "stopped"
    assert not process.is_running(server.pid)


def test_a_script_found_on_path_runs_with_its_own_shebang(tmp_path, monkeypatch):
    on_path = tmp_path / "elsewhere"
    on_path.mkdir()
    script = on_path / "their_server"
    script.write_text("#!/bin/sh\necho theirs\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{on_path}{os.pathsep}{os.environ['PATH']}")

    assert programs.console_script("their_server", bin_dir=tmp_path) == [str(script)]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root starts programs as another user")
def test_a_server_spawned_as_another_user_is_that_users_own_process(tmp_path):
    home = tmp_path / "postgres"
    home.mkdir()
    home.chmod(0o777)  # the other user writes its log here

    server = programs.spawn(["sleep", "60"], home, home / "postgres.log", user="nobody")
    try:
        assert server.uids().real == pwd.getpwnam("nobody").pw_uid
        assert server.name() == "sleep"  # no `runuser` in between: the pid is the server's
    finally:
        assert process.stop(server.pid, server.create_time(), home) == "stopped"
