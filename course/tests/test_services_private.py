"""A private server is a real server of its own, gone with its data when the block ends."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import psutil
import psycopg
import pytest
import redis

from course.services.private import private_server

# a demo or test that starts a private Redis and then waits, to be ended from outside
OWNER = """
import signal
import time
from course.services.private import private_server
# the default actions, as in a terminal: a run started with nohup ignores SIGHUP, and an
# ignored signal is left alone by private_server (on purpose), so the owner would not end
signal.signal(signal.SIGHUP, signal.SIG_DFL)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
with private_server("redis") as server:
    print(server.process.pid, server.home, flush=True)
    time.sleep(60)
"""


def test_private_redis_takes_extra_arguments_and_is_gone_after_the_block() -> None:
    with private_server("redis", extra_args=["--maxmemory", "3mb"]) as server:
        client = redis.Redis.from_url(server.url)
        assert client.config_get("maxmemory") == {"maxmemory": str(3 * 1024 * 1024)}
        home = server.home
        client.close()
    # PrivateServer's own check: a zombie (exited, not yet reaped) is gone, while psutil's
    # is_running() says True for one (the fresh-clone run of 36e651c failed on that)
    assert not server.is_running()
    assert not home.exists()


def test_a_stopped_private_server_refuses_connections_and_cleans_up_as_usual() -> None:
    with private_server("redis") as server:
        server.stop()
        client = redis.Redis.from_url(server.url, socket_connect_timeout=1)
        with pytest.raises(redis.ConnectionError):
            client.ping()
        server.stop()  # twice does nothing
    assert not server.home.exists()


def test_private_postgres_answers_a_query() -> None:
    with private_server("postgres") as server:
        url = server.url.replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
    assert not server.process.is_running()


def test_private_server_passes_its_environment_and_stops_when_the_block_raises() -> None:
    marker = {"COURSE_PRIVATE_MARKER": "yes"}
    with pytest.raises(RuntimeError, match="inside"), private_server("s3", env=marker) as server:
        assert server.process.environ()["COURSE_PRIVATE_MARKER"] == "yes"
        raise RuntimeError("inside the block")
    assert not server.process.is_running()
    assert not server.home.exists()


def test_an_unknown_kind_is_refused_with_the_kinds_there_are() -> None:
    with pytest.raises(ValueError, match="postgres, redis, s3"), private_server("mysql"):
        pass


def start_owner() -> tuple[subprocess.Popen, psutil.Process, Path]:
    """Run OWNER in a process of its own; return it, its server and the server's folder."""
    owner = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True)
    pid, home = owner.stdout.readline().split()
    return owner, psutil.Process(int(pid)), Path(home)


def is_gone(process: psutil.Process) -> bool:
    try:  # is_running also checks the start time: a reused pid is not our server
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_an_owner_ended_by_a_signal_still_stops_its_server_and_deletes_its_folder(number) -> None:
    owner, server, home = start_owner()
    owner.send_signal(number)

    assert owner.wait(30) == 128 + number  # the exit status the signal's default gives
    owner.stdout.close()
    assert is_gone(server)
    assert not home.exists()


def test_a_server_left_by_a_killed_owner_is_removed_by_the_next_start() -> None:
    owner, leftover, home = start_owner()
    owner.kill()  # SIGKILL: nothing runs in the owner, its server is left behind
    owner.wait(30)
    owner.stdout.close()
    assert not is_gone(leftover)

    # a start removes servers whose owner died, but not one whose owner still runs
    with private_server("redis") as mine, private_server("redis"):
        assert mine.is_running()

    assert is_gone(leftover)
    assert not home.exists()
