"""A retry schedule: capped exponential backoff with full jitter: the reference solution."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")


def backoff_delays(
    retries: int, first: float, cap: float, rand: Callable[[], float]
) -> list[float]:
    """Return the waits before each retry: full jitter over a capped exponential."""
    return [rand() * min(cap, first * 2**attempt) for attempt in range(retries)]


def retry_call(
    function: Callable[[], Result],
    retries: int,
    delays: list[float],
    sleep: Callable[[float], None],
    is_transient: Callable[[Exception], bool],
) -> Result:
    """Call function, retrying transient errors after each delay; re-raise when out of retries."""
    for attempt in range(retries + 1):
        try:
            return function()
        except Exception as error:
            if not is_transient(error) or attempt == retries:
                raise
            sleep(delays[attempt])
    raise AssertionError("unreachable: the last attempt returns or raises")
