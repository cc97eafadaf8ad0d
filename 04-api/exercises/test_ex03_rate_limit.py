"""Checks for ex03: `.venv/bin/course check 04 ex03` runs them against your task."""

import threading

import pytest
import redis

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.fixture
def client(redis_url):
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


def test_requests_up_to_the_limit_are_allowed_then_refused(client):
    results = [task.allow(client, "rl:a", 3, 1000, now_ms=10_000 + n) for n in range(4)]
    assert [allowed for allowed, _ in results] == [True, True, True, False]
    assert results[3][1] == 997, "the oldest (at 10000) leaves the window at 11000; now is 10003"


def test_the_window_slides_instead_of_resetting(client):
    for now in (0, 400, 800):
        assert task.allow(client, "rl:b", 3, 1000, now_ms=now)[0]
    assert task.allow(client, "rl:b", 3, 1000, now_ms=999) == (False, 1)
    assert task.allow(client, "rl:b", 3, 1000, now_ms=1000)[0], "the request at 0 has left"
    assert not task.allow(client, "rl:b", 3, 1000, now_ms=1001)[0], "400 and 800 still count"


def test_a_refused_request_does_not_count(client):
    task.allow(client, "rl:c", 1, 1000, now_ms=0)
    for now in (100, 200, 300):
        assert not task.allow(client, "rl:c", 1, 1000, now_ms=now)[0]
    assert task.allow(client, "rl:c", 1, 1000, now_ms=1000)[0]


def test_the_key_expires_when_the_client_goes_idle(client):
    task.allow(client, "rl:d", 5, 1000, now_ms=0)
    assert 0 < client.pttl("rl:d") <= 1000


def test_concurrent_callers_never_exceed_the_limit(client, redis_url):
    # 8 callers released together by a barrier, 40 rounds, one slot per round: a
    # check-then-act solution lets two through in some round with near certainty
    callers, rounds = 8, 40
    barrier = threading.Barrier(callers, timeout=30)
    allowed = [[] for _ in range(rounds)]

    def caller():
        with redis.Redis.from_url(redis_url) as own:
            for number in range(rounds):
                barrier.wait()
                allowed[number].append(task.allow(own, f"rl:e:{number}", 1, 60_000, now_ms=1)[0])

    threads = [threading.Thread(target=caller) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    passed = [results.count(True) for results in allowed]
    assert passed == [1] * rounds, f"exactly one caller per round may pass; got {passed}"
