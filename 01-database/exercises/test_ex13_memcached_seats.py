"""Checks for ex13: `.venv/bin/course check 01 ex13` runs them against your task."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.fixture
def plan(memcached_client):
    memcached_client.set("show:plan", json.dumps({"A1": "ada"}))
    return "show:plan"


def stored(memcached_client, key):
    return json.loads(memcached_client.get(key))


def test_a_free_seat_is_reserved_and_a_taken_one_is_refused(memcached_client, plan):
    assert task.reserve(memcached_client, plan, seat="A2", user="grace") is True
    assert task.reserve(memcached_client, plan, seat="A1", user="linus") is False
    assert task.reserve(memcached_client, plan, seat="A2", user="grace") is False, (
        "A2 is already grace's: this call did not reserve it"
    )

    assert stored(memcached_client, plan) == {"A1": "ada", "A2": "grace"}


class AlwaysChanged:
    """A client on which every `cas` finds the plan changed since the `gets`."""

    def __init__(self, client) -> None:
        self.client = client

    def cas(self, *args, **kwargs) -> bool:
        return False

    def __getattr__(self, name: str):
        return getattr(self.client, name)


def test_when_cas_keeps_failing_it_stops_with_a_runtimeerror(memcached_client, plan):
    with pytest.raises(RuntimeError):
        task.reserve(AlwaysChanged(memcached_client), plan, seat="A2", user="grace")

    assert stored(memcached_client, plan) == {"A1": "ada"}


def race(memcached_client, plan, wishes):
    """Two users read the plan at the same moment, then write (only the first time)."""
    both_have_read = threading.Barrier(2, timeout=5)
    waited = threading.local()

    def between():
        if not getattr(waited, "done", False):
            waited.done = True
            both_have_read.wait()

    def one(wish):
        seat, user = wish
        return task.reserve(memcached_client, plan, seat=seat, user=user, between=between)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, wishes))


def test_two_users_reserving_different_seats_at_once_both_get_theirs(memcached_client, plan):
    results = race(memcached_client, plan, [("B1", "grace"), ("B2", "linus")])

    assert results == [True, True]
    assert stored(memcached_client, plan) == {"A1": "ada", "B1": "grace", "B2": "linus"}, (
        "a reservation was lost: use gets and cas, not get and set"
    )


def test_two_users_wanting_the_same_seat_at_once_one_wins(memcached_client, plan):
    results = race(memcached_client, plan, [("C1", "grace"), ("C1", "linus")])

    assert sorted(results) == [False, True]
    winner = ["grace", "linus"][results.index(True)]
    assert stored(memcached_client, plan)["C1"] == winner
