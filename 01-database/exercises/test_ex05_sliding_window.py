"""Checks for ex05: `course check 01 ex05` runs them against your task."""

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)

START = 1_700_000_040.0  # 40 s into a minute, so fixed windows would split at START + 20


def ask(client, now, *, user="ada", limit=3, window_seconds=60):
    return task.allow_request(
        client, prefix="t", user=user, limit=limit, window_seconds=window_seconds, now=now
    )


@pytest.mark.parametrize("limit", [1, 3])
def test_limit_requests_pass_and_the_next_is_refused(redis_client, limit):
    verdicts = [ask(redis_client, START + n, limit=limit) for n in range(limit + 1)]

    assert verdicts == [True] * limit + [False]


def test_there_is_no_burst_across_a_fixed_window_edge(redis_client):
    before_edge = [ask(redis_client, START + 19) for _ in range(3)]
    after_edge = [ask(redis_client, START + 21) for _ in range(3)]

    assert before_edge == [True, True, True]
    assert after_edge == [False, False, False]


def test_requests_are_allowed_again_once_the_old_ones_slide_out(redis_client):
    for n in range(3):
        ask(redis_client, START + n)

    assert ask(redis_client, START + 59.5) is False
    assert ask(redis_client, START + 60.5) is True  # the request at START has slid out


def test_refused_requests_do_not_count(redis_client):
    for _ in range(10):
        ask(redis_client, START)

    assert ask(redis_client, START + 60.5) is True


def test_each_user_has_their_own_window(redis_client):
    for _ in range(3):
        ask(redis_client, START, user="ada")

    assert ask(redis_client, START, user="grace") is True


def test_the_key_expires_when_the_user_goes_idle(redis_client):
    ask(redis_client, START)

    [key] = redis_client.keys("t:*")
    assert 0 < redis_client.ttl(key) <= 60
