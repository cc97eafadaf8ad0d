"""Checks for ex01: `course check 07 ex01` runs one contract against your fake and real Redis.

Each check receives a cache and a `let_pass(ms)` function. For your fake, `let_pass` moves its
clock on instantly; for `OrderStatusCache` on a real Redis it waits that long on this
process's clock (`time.monotonic`), while Redis counts the key's time to live on its own.
One body, two implementations: a fake that passes behaves like Redis in every case the
contract covers.
"""

import ast
import time
import uuid
from pathlib import Path

import pytest
from orders_cache import OrderStatusCache

from course.exercises import load_exercise

task = load_exercise(__file__)
TTL_MS = 500  # short, so real Redis expires it soon; long enough for a busy machine's delays


class ManualClock:
    """A clock a test moves on by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["your fake", "real Redis"])
def cache_and_time(request):
    """Your fake with a manual clock, then the real cache on Redis with the real clock."""
    if request.param == "your fake":
        clock = ManualClock()

        def move_clock(ms: float) -> None:
            clock.now += ms

        return task.FakeStatusCache(ttl_ms=TTL_MS, clock=clock), move_clock
    client = request.getfixturevalue("redis_client")
    cache = OrderStatusCache(client, prefix=f"ex01-{uuid.uuid4().hex[:8]}:", ttl_ms=TTL_MS)

    def wait(ms: float) -> None:
        deadline = time.monotonic() + ms / 1000
        while time.monotonic() < deadline:
            time.sleep(0.01)

    return cache, wait


def test_a_remembered_status_comes_back_and_an_unknown_one_is_none(cache_and_time):
    cache, _ = cache_and_time
    cache.remember("ORD-1", "paid")
    assert cache.status("ORD-1") == "paid"
    assert cache.status("ORD-404") is None, "a reference never remembered must give None"


def test_only_paid_is_paid(cache_and_time):
    cache, _ = cache_and_time
    cache.remember("ORD-1", "paid")
    cache.remember("ORD-2", "new")
    assert cache.is_paid("ORD-1") is True
    assert cache.is_paid("ORD-2") is False
    assert cache.is_paid("ORD-404") is False


def test_a_status_expires_after_its_time_to_live(cache_and_time):
    cache, let_pass = cache_and_time
    cache.remember("ORD-1", "paid")
    let_pass(TTL_MS * 0.25)
    assert cache.status("ORD-1") == "paid", "a quarter of the time to live: still there"
    let_pass(TTL_MS)
    assert cache.status("ORD-1") is None, "after its time to live the status must be gone"


def test_remembering_again_replaces_the_status_and_restarts_its_time(cache_and_time):
    cache, let_pass = cache_and_time
    cache.remember("ORD-1", "new")
    let_pass(TTL_MS * 0.7)
    cache.remember("ORD-1", "paid")
    let_pass(TTL_MS * 0.5)  # 1.2 TTLs after the first remember, 0.5 after the second
    assert cache.status("ORD-1") == "paid", "the second remember must restart the time to live"


def test_the_fake_keeps_statuses_itself_without_redis_or_sleeping():
    tree = ast.parse(Path(task.__file__).read_text())
    modules = {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    modules |= {
        n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
    }
    assert not modules & {"redis", "fakeredis", "orders_cache"}, "a dict and the clock suffice"
    called = {
        n.func.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    }
    assert "sleep" not in called, "the fake reads the clock; it never waits"
