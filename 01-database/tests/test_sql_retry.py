"""The wait before a retry is random, bounded, and grows with the attempt up to a cap."""

import itertools
import random

import pytest
from sql_retry import backoff_seconds


@pytest.fixture
def seeded():
    """Seed the module `random` that backoff_seconds draws from, and restore it afterwards."""
    state = random.getstate()
    random.seed(20261201)
    yield
    random.setstate(state)


def test_every_wait_lies_between_zero_and_the_capped_exponential_bound(seeded):
    for attempt in range(1, 11):
        bound = min(1.0, 0.01 * 2**attempt)
        waits = [backoff_seconds(attempt, base=0.01, cap=1.0) for _ in range(200)]

        assert all(0 <= wait <= bound for wait in waits), attempt
        # full jitter spreads over the whole range, not a fixed pause near the bound
        assert max(waits) > 0.8 * bound
        assert min(waits) < 0.2 * bound


def test_the_waits_are_random_so_colliding_transactions_do_not_retry_in_lockstep(seeded):
    waits = {backoff_seconds(3) for _ in range(20)}

    assert len(waits) == 20


def test_the_bound_doubles_with_each_attempt_until_the_cap(seeded):
    # the largest of many draws approaches each attempt's bound: 0.02, 0.04, ... then 1.0
    largest = [max(backoff_seconds(attempt) for _ in range(500)) for attempt in range(1, 10)]

    assert all(later > earlier for earlier, later in itertools.pairwise(largest[:6]))
    assert largest[5] == pytest.approx(0.64, rel=0.02)  # attempt 6: 0.01 * 2**6
    assert all(0.98 < wait <= 1.0 for wait in largest[6:])  # 1.28, 2.56, 5.12: capped at 1 s
