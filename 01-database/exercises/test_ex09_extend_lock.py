"""Checks for ex09: `.venv/bin/course check 01 ex09` runs them against your task."""

import time
from itertools import pairwise

import pytest

from course.exercises import load_exercise
from course.redis_wire import watch_script_keys, watch_sent_commands

task = load_exercise(__file__)


def test_the_owner_extends_its_lock(redis_client):
    redis_client.set("t:lock", "mine", px=1_000)

    # 60.5 s: not a whole number of seconds, so an EXPIRE rounded to seconds shows
    extended = task.extend_lock(redis_client, key="t:lock", token="mine", ttl_ms=60_500)

    assert extended is True
    remaining = redis_client.pttl("t:lock")
    assert remaining > 60_000, f"the expiry is {remaining} ms, not ttl_ms: PEXPIRE, in ms"
    assert remaining <= 60_500, f"the expiry is {remaining} ms, more than ttl_ms: seconds, not ms?"


def test_the_owner_can_also_shorten_its_lock(redis_client):
    # "resets the expiry to ttl_ms": PEXPIRE ... GT only ever lengthens it, and answers 0 to a
    # shorter one, so the owner would be told it no longer holds its lock
    redis_client.set("t:lock", "mine", px=60_000)

    extended = task.extend_lock(redis_client, key="t:lock", token="mine", ttl_ms=5_000)

    assert extended is True, "the owner's lock was not reset to a shorter ttl_ms"
    assert 0 < redis_client.pttl("t:lock") <= 5_000


def test_a_lock_owned_by_another_worker_is_left_alone(redis_client):
    redis_client.set("t:lock", "theirs", px=1_000)

    extended = task.extend_lock(redis_client, key="t:lock", token="mine", ttl_ms=60_000)

    assert extended is False
    assert redis_client.pttl("t:lock") <= 1_000, "another worker's lock was extended"
    assert redis_client.get("t:lock") == "theirs"


def test_an_expired_lock_is_not_recreated(redis_client):
    redis_client.set("t:lock", "mine", px=1)
    time.sleep(0.05)

    extended = task.extend_lock(redis_client, key="t:lock", token="mine", ttl_ms=60_000)

    assert extended is False
    assert redis_client.exists("t:lock") == 0


def test_a_ttl_that_is_not_positive_is_refused_and_the_lock_kept(redis_client):
    redis_client.set("t:lock", "mine", px=60_000)

    for ttl_ms in (0, -5):
        with pytest.raises(ValueError):
            task.extend_lock(redis_client, key="t:lock", token="mine", ttl_ms=ttl_ms)

    assert redis_client.get("t:lock") == "mine", "PEXPIRE with 0 or less deleted the lock"


@pytest.fixture
def commands(monkeypatch):
    """The name of every command any Redis connection in this test sends, pipelines included.

    Every command, pipeline or transaction leaves through send_packed_command. Counting on the
    server instead (INFO commandstats) would also count the other test workers' GET, PEXPIRE
    and EVAL, which run at the same time on the same server.
    """
    sent = []
    watch_sent_commands(monkeypatch, lambda _connection, names: sent.extend(names))
    return sent


@pytest.fixture
def script_keys(monkeypatch):
    """The KEYS of every EVAL, EVALSHA and FCALL packed, alone or in a pipeline."""
    return watch_script_keys(monkeypatch)


# a new connection's set-up, SCRIPT LOAD and FUNCTION LOAD: none of them reads the lock
SET_UP = {"AUTH", "CLIENT", "FUNCTION", "HELLO", "SCRIPT", "SELECT"}


def test_the_check_and_the_extension_are_one_atomic_command(redis_client, commands, script_keys):
    redis_client.set("t:lock", "mine", px=1_000)
    commands.clear()

    task.extend_lock(redis_client, key="t:lock", token="mine", ttl_ms=60_000)

    # register_script sends EVALSHA first; a server that lacks the script refuses it
    # (NOSCRIPT, nothing ran), so SCRIPT LOAD and the same EVALSHA follow: drop the refused one
    ran = [
        name for name, then in pairwise([*commands, ""]) if (name, then) != ("EVALSHA", "SCRIPT")
    ]
    # exactly ONE command besides the set-up: two scripts, a GET one and a PEXPIRE one, leave
    # the same gap as GET + PEXPIRE
    sent = [name for name in ran if name not in SET_UP]
    assert len(sent) == 1 and sent[0] in ("EVAL", "EVALSHA", "FCALL"), (
        f"expected one script that checks and extends, not these commands: {commands} "
        "(a WATCH/MULTI/EXEC retry is atomic too, but this exercise asks for the script)"
    )
    # EVAL/EVALSHA/FCALL, the script or function, numkeys, then the keys: the lock must be
    # its one key, as Redis requires of every key a script touches (Cluster routes by them)
    assert script_keys and all(keys == ["t:lock"] for keys in script_keys), (
        f"pass the lock's key in keys=[...], not in args: {script_keys}"
    )
