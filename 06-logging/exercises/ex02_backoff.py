"""A retry schedule: capped exponential backoff with full jitter, for transient errors only.

Write two functions.

`backoff_delays(retries, first, cap, rand)` returns the list of `retries` waits, in seconds,
before each retry: the n-th wait (n from 0) is `rand() * min(cap, first * 2**n)`, "full
jitter". `rand` is a function returning a float in [0, 1), like `random.random`; the tests
pass their own so that the answer is known.

`retry_call(function, retries, delays, sleep, is_transient)` calls `function()` and returns
its result. If it raises an exception for which `is_transient(error)` is true, it calls
`sleep(delay)` with the next delay from `delays` and tries again, at most `retries` more
times; then it re-raises the last error. An error that is not transient is raised at once,
without sleeping. `delays` has at least `retries` items.

`errors_resilience.py` does the same with tenacity, with a difference: tenacity's jitter is
*additive* (the backoff plus up to a fixed extra), the one here is *full* (a random wait
between 0 and the backoff); here you write the loop yourself.

Check your work with `.venv/bin/course check 06 ex02`; a hint: `.venv/bin/course hint 06 ex02`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")


def backoff_delays(
    retries: int, first: float, cap: float, rand: Callable[[], float]
) -> list[float]:
    """Return the waits before each retry: full jitter over a capped exponential."""
    # TODO: one delay per retry: rand() * min(cap, first * 2**n)
    raise NotImplementedError("TODO: the backoff schedule")


def retry_call(
    function: Callable[[], Result],
    retries: int,
    delays: list[float],
    sleep: Callable[[float], None],
    is_transient: Callable[[Exception], bool],
) -> Result:
    """Call function, retrying transient errors after each delay; re-raise when out of retries."""
    # TODO: loop over attempts; return on success; on a transient error sleep and go on,
    # unless that was the last attempt; raise other errors at once
    raise NotImplementedError("TODO: the retry loop")
