"""Checks for ex03: `course check 05 ex03` runs them against your task (needs Redis)."""

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor

from course.exercises import load_exercise

task = load_exercise(__file__)


def test_a_token_is_consumed_once(redis_client):
    token = task.issue(redis_client, "42", 60)
    assert task.consume(redis_client, token) == "42"
    assert task.consume(redis_client, token) is None


def test_the_token_is_long_random_and_stored_only_as_its_digest(redis_client):
    tokens = {task.issue(redis_client, "42", 60) for _ in range(5)}
    assert len(tokens) == 5 and all(len(token) >= 22 for token in tokens)
    stored = " ".join(redis_client.keys("*"))
    assert not any(token in stored for token in tokens), "store a digest, not the token"
    digest = hashlib.sha256(next(iter(tokens)).encode()).hexdigest()
    assert digest in stored


def test_an_unknown_token_is_none(redis_client):
    assert task.consume(redis_client, "not-a-token") is None


def test_an_expired_token_is_none(redis_client):
    token = task.issue(redis_client, "42", 1)
    for key in redis_client.keys("*"):
        redis_client.pexpire(key, 1)  # instead of waiting the second
    deadline = time.monotonic() + 2
    while redis_client.dbsize() and time.monotonic() < deadline:
        time.sleep(0.002)
    assert task.consume(redis_client, token) is None


def test_two_racing_consumers_cannot_both_succeed(redis_client):
    for _ in range(20):
        token = task.issue(redis_client, "42", 60)
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(task.consume, [redis_client] * 4, [token] * 4))
        assert results.count("42") == 1, results
