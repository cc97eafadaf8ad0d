"""Checks for ex09: `.venv/bin/course check 01 ex09` runs them against your task."""

import time

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


def test_the_owner_extends_its_lock(redis_client):
    redis_client.set("t:lock", "mine", px=1_000)

    extended = task.extend_lock(redis_client, key="t:lock", token="mine", ttl_ms=60_000)

    assert extended is True
    remaining = redis_client.pttl("t:lock")
    assert remaining > 30_000, "the expiry was not reset to ttl_ms"
    assert remaining <= 60_000, f"the expiry is {remaining} ms, more than ttl_ms: seconds, not ms?"


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


@pytest.fixture
def commands(redis_client):
    sent = []
    original = redis_client.execute_command

    def record(*args, **options):
        sent.append(str(args[0]).upper())
        return original(*args, **options)

    redis_client.execute_command = record
    return sent


def test_the_check_and_the_extension_are_one_atomic_command(redis_client, commands):
    redis_client.set("t:lock", "mine", px=1_000)
    commands.clear()

    task.extend_lock(redis_client, key="t:lock", token="mine", ttl_ms=60_000)

    # SCRIPT LOAD may come first (register_script's answer to NOSCRIPT); then exactly ONE
    # command: two scripts, a GET one and a PEXPIRE one, leave the same gap as GET + PEXPIRE
    sent = [name for name in commands if not name.startswith("SCRIPT")]
    assert len(sent) == 1 and sent[0] in ("EVAL", "EVALSHA", "FCALL"), (
        f"expected one script that checks and extends, not these commands: {commands}"
    )
