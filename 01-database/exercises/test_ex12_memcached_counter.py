"""Checks for ex12: `.venv/bin/course check 01 ex12` runs them against your task."""

import threading
from concurrent.futures import ThreadPoolExecutor

from course.exercises import load_exercise

task = load_exercise(__file__)


def test_the_first_view_creates_the_counter_and_the_next_ones_add_to_it(memcached_client):
    counts = [task.count_view(memcached_client, "views:home") for _ in range(3)]

    assert counts == [1, 2, 3]
    assert memcached_client.get("views:home") == b"3"


def test_two_first_views_at_once_count_two(memcached_client):
    both_found_nothing = threading.Barrier(2, timeout=5)

    def view() -> int:
        return task.count_view(memcached_client, "views:new", between=both_found_nothing.wait)

    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = sorted(pool.map(lambda _: view(), range(2)))

    assert counts == [1, 2], f"each view must be counted once: the counts were {counts}"
    assert memcached_client.get("views:new") == b"2"


class EvictedRightAfterAnotherCreatedIt:
    """A client on which another request creates the counter just before our `add`, and
    Memcached evicts it before our `incr` (it may evict any item at any time)."""

    def __init__(self, client) -> None:
        self.client, self.raced = client, False

    def add(self, key, value, **kwargs):
        if not self.raced:
            self.raced = True
            self.client.set(key, b"1")  # another request was first...
            refused = self.client.add(key, value, **kwargs)
            self.client.delete(key)  # ...and its counter is evicted at once
            return refused
        return self.client.add(key, value, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.client, name)


def test_a_counter_evicted_between_add_and_incr_is_created_again(memcached_client):
    racing = EvictedRightAfterAnotherCreatedIt(memcached_client)

    assert task.count_view(racing, "views:evicted") == 1  # tries again, does not crash
    assert memcached_client.get("views:evicted") == b"1"
