"""The real `course services` commands when a checkout is copied, moved, damaged or locked down.

Each test drives the command in a scratch checkout with real servers (issue 10, defects 1, 4,
6, 8 and 9); the `scratch` fixture fails the test if a process of that checkout is left.
Redis (Valkey) and S3 (moto) start in about a second, so the tests use those.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

import psutil
import pytest
from dotenv import dotenv_values

from course.services import process as processes
from course.services.ports import free_port

pytestmark = pytest.mark.slow

# a process that starts Redis the way `course test` does and, like it, does not reap it
UP_AND_WAIT = (
    "import sys\n"
    "from course.services.manager import ServiceManager\n"
    "report = ServiceManager().up(['redis'], mode='embedded')\n"
    "print(report.launched['redis'].pid, flush=True)\n"
    "sys.stdin.read()\n"
)


def run_in(root: Path, scratch, *arguments: str) -> subprocess.CompletedProcess:
    """Run `course ARGUMENTS` in another folder with the scratch checkout's environment."""
    return subprocess.run(
        scratch.command(*arguments), cwd=root, env=scratch.environment(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip


def test_down_in_a_copied_checkout_leaves_the_originals_servers_running(scratch, tmp_path):
    assert scratch.run("services", "up", "--mode", "embedded", "redis").returncode == 0
    (server,) = scratch.servers("redis")
    copy = Path(f"{scratch.root}-copy")
    shutil.copytree(scratch.root, copy, symlinks=True)  # `cp -r` while Redis runs
    try:
        down = run_in(copy, scratch, "services", "down")

        assert down.returncode == 0, down.stdout
        assert "Redis: left running: that process is not this checkout's server" in down.stdout
        assert processes.is_running(server.pid) and scratch.servers("redis") == [server]
        assert json.loads((copy / ".services" / "state.json").read_text()) == {}
    finally:
        shutil.rmtree(copy)
    assert "Redis: stopped" in scratch.run("services", "down").stdout


def test_down_does_not_wait_for_servers_that_became_zombies(scratch):
    parent = subprocess.Popen(
        [sys.executable, "-c", UP_AND_WAIT], cwd=scratch.root, env=scratch.environment(),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        server = psutil.Process(int(parent.stdout.readline()))

        down = scratch.run("services", "down")

        assert down.returncode == 0, down.stdout
        assert down.stdout.splitlines() == ["Redis: stopped"]  # no "did not stop ... killing"
        assert server.status() == psutil.STATUS_ZOMBIE  # its parent has not reaped it yet
    finally:
        parent.stdin.close()
        parent.wait(timeout=60)
        parent.stdout.close()


def test_a_corrupt_state_file_is_kept_and_its_servers_found_again(scratch):
    assert scratch.run("services", "up", "--mode", "embedded", "redis").returncode == 0
    (server,) = scratch.servers("redis")
    state = scratch.services_dir / "state.json"
    state.write_text(state.read_text()[:25])  # cut short, as by a full disk

    down = scratch.run("services", "down")

    assert down.returncode == 0, down.stdout
    assert "Traceback" not in down.stdout
    (notice,) = [line for line in down.stdout.splitlines() if "state.json" in line]
    assert "unreadable" in notice and "state.json.corrupt-" in notice and "redis" in notice
    assert "Redis: stopped" in down.stdout
    assert not processes.is_running(server.pid)  # a zombie until its new parent reaps it
    assert len(list(scratch.services_dir.glob("state.json.corrupt-*"))) == 1


def moved_venv(root: Path) -> Path:
    """A venv in `root` whose scripts still name the folder it was moved from."""
    venv = root / ".venv"
    site_packages = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    (site_packages / "site-packages").mkdir(parents=True)
    (venv / "bin").mkdir()
    (venv / "bin" / "python").symlink_to(sys._base_executable)
    shutil.copy(Path(sys.prefix) / "pyvenv.cfg", venv / "pyvenv.cfg")
    # the packages are the suite's own: only the scripts' first lines are stale
    installed = sysconfig.get_paths()["purelib"]
    (site_packages / "site-packages" / "suite.pth").write_text(
        f"import site; site.addsitedir({installed!r})\n"
    )
    script = Path(sys.executable).parent / "moto_server"
    _shebang, body = script.read_text().split("\n", 1)
    moved = venv / "bin" / "moto_server"
    moved.write_text(f"#!/where/it/was/before/.venv/bin/python\n{body}")
    moved.chmod(0o755)
    return venv


def test_up_works_after_the_checkout_was_moved(scratch):
    venv = moved_venv(scratch.root)
    with pytest.raises(FileNotFoundError):
        subprocess.run([venv / "bin" / "moto_server", "--help"])  # what `up` used to run
    command = [
        str(venv / "bin" / "python"),
        "-m",
        "course",
        "services",
        "up",
        "--mode",
        "embedded",
        "s3",
    ]

    up = subprocess.run(
        command, cwd=scratch.root, env=scratch.environment(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
    )  # fmt: skip

    assert up.returncode == 0, up.stdout
    (server,) = scratch.servers("s3")
    assert server.cmdline()[:2] == [str(venv / "bin" / "python"), str(venv / "bin" / "moto_server")]
    assert scratch.run("services", "down").returncode == 0


def test_a_read_only_services_folder_is_one_clear_line_and_starts_nothing(scratch):
    scratch.services_dir.mkdir()
    command = scratch.command("services", "up", "--mode", "embedded", "redis")
    if os.geteuid() == 0:  # file modes do not stop root: a read-only bind mount does
        folder = scratch.services_dir
        command = [
            "unshare",
            "-m",
            "sh",
            "-c",
            f'mount --bind -o ro {folder} {folder} && exec "$@"',
            "sh",
            *command,
        ]
    else:
        scratch.services_dir.chmod(0o555)

    up = subprocess.run(
        command, cwd=scratch.root, env=scratch.environment(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
    )  # fmt: skip
    scratch.services_dir.chmod(0o755)

    assert up.returncode == 1
    assert "Traceback" not in up.stdout
    (error,) = up.stdout.splitlines()
    assert error.startswith(f"error: cannot write {scratch.services_dir}/")
    assert scratch.leftovers() == []


def test_up_keeps_a_private_symlinked_env_and_the_learners_own_values(scratch):
    secrets = scratch.root / "secrets"
    secrets.mkdir()
    target = secrets / "course.env"
    mine = f"redis://127.0.0.1:{free_port()}/0"  # the learner's, and nothing answers there
    target.write_text(
        f"# my settings\nREDIS_URL={mine}\nS3_BUCKET=my-bucket\nAWS_ACCESS_KEY_ID=mine\n"
    )
    target.chmod(0o600)
    scratch.env_file.symlink_to(target)

    up = scratch.run("services", "up", "--mode", "embedded", "redis")

    assert up.returncode == 0, up.stdout
    assert scratch.env_file.is_symlink() and scratch.env_file.resolve() == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    new = scratch.records()["redis"]["url_settings"]["redis_url"]
    values = dotenv_values(target)
    assert values["REDIS_URL"] == new
    assert (values["S3_BUCKET"], values["AWS_ACCESS_KEY_ID"]) == ("my-bucket", "mine")
    lines = target.read_text().splitlines()
    assert lines[0] == "# my settings"
    assert any(
        line.startswith(f"# REDIS_URL={mine} (replaced by course services up on ") for line in lines
    )
    assert f".env: REDIS_URL: {mine} -> {new}" in up.stdout
    assert "kept as a comment" in up.stdout
    assert scratch.run("services", "down").returncode == 0
