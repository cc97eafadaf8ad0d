"""Timing for the lesson's measured claims: the same warm-up and repeats for every side.

The index, pagination, MongoDB index and cache figures time both sides with these functions,
in the same run, on the same data: untimed warm-up runs first (a cold cache or a first
connection is not what is being compared), then the median of the timed runs (one slow moment
cannot move it). The bulk-load figure times each loader once over 10,000 rows (a run is
long enough to average itself; its ratio still varies by a few tens of percent from run to
run), and the pool, pipeline and N+1 figures take medians of their own alternating rounds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def latencies_ms(run: Callable[[], Any], *, samples: int, warm_up: int = 3) -> list[float]:
    """Run `run()` `warm_up` times untimed, then `samples` times; return each duration in ms."""
    for _ in range(warm_up):
        run()
    durations = []
    for _ in range(samples):
        began = time.perf_counter()
        run()
        durations.append((time.perf_counter() - began) * 1000)
    return durations


def median_ms(run: Callable[[], Any], *, repeat: int = 15, warm_up: int = 3) -> float:
    """Return the median duration of `run()` in ms over `repeat` runs, after a warm-up."""
    return statistics.median(latencies_ms(run, samples=repeat, warm_up=warm_up))
