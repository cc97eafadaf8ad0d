"""`course services up` never leaks a server, adopts a stranger's, or replaces a live one.

Each test drives the real command in a scratch checkout with real servers (issue 10); the
`scratch` fixture fails the test if any process of that checkout is still running after it.
"""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from dotenv import dotenv_values

from course.services import process as processes
from course.services.ports import free_port, port_is_free
from course.services.servers.redis import server_binary

pytestmark = pytest.mark.slow


def wait_for_a_record(scratch, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not scratch.records():
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "no server was recorded"
        time.sleep(0.005)


def test_ctrl_c_during_up_stops_every_server_it_started(scratch):
    up = scratch.popen("services", "up", "--mode", "embedded")
    wait_for_a_record(scratch, up)  # a server is spawned: the others are still starting
    up.send_signal(signal.SIGINT)
    output, _ = up.communicate(timeout=60)

    assert up.returncode == 130, output
    assert "interrupted: stopped the servers this command had started" in output
    assert scratch.leftovers() == []
    assert scratch.records() == {}


def test_a_failing_set_up_step_stops_postgres_and_says_why(scratch):
    import psycopg

    assert scratch.run("services", "up", "--mode", "embedded", "postgres").returncode == 0
    url = dotenv_values(scratch.env_file)["DATABASE_URL"].replace("+psycopg", "")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ALTER ROLE course PASSWORD 'changed-by-the-learner'")
    assert scratch.run("services", "down").returncode == 0

    for _attempt in range(2):  # and the next `up` fails the same way, not in pg_ctl
        again = scratch.run("services", "up", "--mode", "embedded", "postgres")
        assert again.returncode == 1
        assert 'password authentication failed for user "course"' in again.stdout
        assert scratch.leftovers() == []
        assert scratch.records() == {}


def test_two_ups_at_once_start_one_set_of_servers_and_record_it(scratch):
    ups = [scratch.popen("services", "up", "--mode", "embedded", "redis", "s3") for _ in "ab"]
    outputs = [up.communicate(timeout=120)[0] for up in ups]

    assert [up.returncode for up in ups] == [0, 0], outputs
    records, env = scratch.records(), dotenv_values(scratch.env_file)
    for key, variable in (("redis", "REDIS_URL"), ("s3", "S3_ENDPOINT_URL")):
        (server,) = scratch.servers(key)
        assert records[key]["pid"] == server.pid
        assert env[variable] == records[key]["url_settings"][variable.lower()]
    assert scratch.run("services", "down").returncode == 0


@pytest.fixture
def foreign_redis(tmp_path):
    """A learner's own Redis (not this checkout's) on the port the course prefers, with a key."""
    import redis

    port, holder = 6379, None
    if port_is_free(port):  # else a server this checkout did not start holds it already
        holder = subprocess.Popen(
            [server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            cwd=tmp_path, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    client = redis.Redis(port=port, db=0)
    for _ in range(100):
        try:
            client.set("learner:own-key", "keep me")
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield client
    client.delete("learner:own-key")
    client.close()
    if holder:
        holder.terminate()
        holder.wait(10)


def test_a_foreign_redis_on_the_port_is_neither_adopted_nor_wiped(scratch, foreign_redis):
    up = scratch.run("services", "up", "--mode", "embedded", "redis")

    assert up.returncode == 0, up.stdout
    assert "port 6379 is in use by a program this checkout did not start" in up.stdout
    assert ":6379/" not in dotenv_values(scratch.env_file)["REDIS_URL"]
    # the learner points .env back at their own Redis: reset-services must not wipe it
    scratch.env_file.write_text("REDIS_URL=redis://127.0.0.1:6379/0\n")
    reset = scratch.run("reset-services", "--yes")
    assert reset.returncode == 1
    assert "Redis at redis://127.0.0.1:6379/0: not started by this checkout" in reset.stdout
    assert "--include-foreign" in reset.stdout
    assert foreign_redis.get("learner:own-key") == b"keep me"
    assert scratch.run("services", "down").returncode == 0


def test_a_live_recorded_server_is_reused_even_when_a_stale_env_line_wins(scratch):
    assert scratch.run("services", "up", "--mode", "embedded", "redis").returncode == 0
    (first,) = scratch.servers("redis")
    with scratch.env_file.open("a") as env:  # a stale duplicate: the last line wins
        env.write(f"REDIS_URL=redis://127.0.0.1:{free_port()}/0\n")

    again = scratch.run("services", "up", "--mode", "embedded", "redis")

    assert again.returncode == 0, again.stdout
    assert "Redis was already running (this checkout's), so none was started." in again.stdout
    assert scratch.servers("redis") == [first]
    lines = [line for line in scratch.env_file.read_text().splitlines() if line.startswith("REDIS")]
    assert lines == [f"REDIS_URL={scratch.records()['redis']['url_settings']['redis_url']}"]
    assert scratch.run("services", "down").returncode == 0


RESTART_IN_ANOTHER_SHELL = """
import subprocess, sys

def run(*arguments):
    command = [sys.executable, "-m", "course", "services", *arguments]
    return subprocess.run(command, capture_output=True, text=True)

def test_another_shell_restarts_redis_during_the_run():
    down = run("down")
    assert down.returncode == 0
    assert "a test run" in down.stdout and "is using these services" in down.stdout
    assert run("up", "--mode", "embedded", "redis").returncode == 0
"""


def test_course_test_stops_only_the_processes_it_started(scratch):
    (scratch.root / "test_restart.py").write_text(RESTART_IN_ANOTHER_SHELL)

    # -n 0: the run in the scratch checkout needs no pytest-xdist worker process of its own
    run = scratch.run("test", "--mode", "embedded", "--workers", "0")

    assert run.returncode == 0, run.stdout
    assert "1 passed" in run.stdout
    (restarted,) = scratch.servers("redis")
    assert scratch.records()["redis"]["pid"] == restarted.pid
    assert scratch.run("services", "down").returncode == 0


def test_a_postgres_16_data_folder_is_explained_and_kept(scratch):
    data = scratch.services_dir / "postgres" / "data"
    data.mkdir(parents=True)
    (data / "PG_VERSION").write_text("16\n")
    (data / "learner-data").write_text("precious")

    refused = scratch.run("services", "up", "--mode", "embedded", "postgres")

    assert refused.returncode == 1
    error_lines = [line for line in refused.stdout.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1
    assert "holds a PostgreSQL 16 database" in error_lines[0]
    assert "course services up --yes" in error_lines[0]
    assert (data / "learner-data").read_text() == "precious"
    assert scratch.leftovers() == []

    moved = scratch.run("services", "up", "--mode", "embedded", "--yes", "postgres")

    assert moved.returncode == 0, moved.stdout
    kept = scratch.services_dir / "postgres" / "data-pg16"
    assert (kept / "learner-data").read_text() == "precious"
    assert "dump it with PostgreSQL 16" in moved.stdout
    assert (data / "PG_VERSION").read_text().strip() == "18"
    assert scratch.run("services", "down").returncode == 0


def test_a_recorded_server_that_no_longer_answers_is_stopped_before_another_starts(scratch):
    import redis

    assert scratch.run("services", "up", "--mode", "embedded", "redis").returncode == 0
    (hung,) = scratch.servers("redis")
    with redis.Redis.from_url(dotenv_values(scratch.env_file)["REDIS_URL"]) as client:
        client.execute_command("CLIENT", "PAUSE", "600000", "ALL")  # alive, listening, mute

    again = scratch.run("services", "up", "--mode", "embedded", "redis")

    assert again.returncode == 0, again.stdout
    assert "Started Redis" in again.stdout
    assert not processes.is_alive(hung.pid)  # stopped (a zombie awaiting its reaper counts)
    (replacement,) = scratch.servers("redis")
    assert scratch.records()["redis"]["pid"] == replacement.pid
    assert scratch.run("services", "down").returncode == 0
