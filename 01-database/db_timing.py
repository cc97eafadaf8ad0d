"""Timing for the lesson's measured claims: the same warm-up and repeats for every side.

The index, pagination and MongoDB index figures time both sides with these functions, in the
same run, on the same data: untimed warm-up runs first (a cold cache or a first connection is
not what is being compared), then the median of the timed runs (one slow moment cannot move
it). The cache figure times a query and a hit turn about (`alternating_ms`, after three untimed
rounds), so that its p95, a tail, compares the same stretch of time on both sides. The
bulk-load figure warms each loader up on a small batch, then times each one several times in
alternating rounds (`alternating_ms`: the order rotates every round, so a slow moment of the
machine does not always fall on the same loader) and reports the median with the fastest and
slowest runs beside it. The pool, pipeline and N+1 figures use `alternating_ms` too, after one
untimed warm-up round, and report medians (the N+1 figure collects garbage, untimed, before
each run).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
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


def alternating_ms(
    runs: Mapping[str, Callable[[], Any]],
    *,
    rounds: int,
    before_each: Callable[[], Any] = lambda: None,
    after_each: Callable[[str], Any] = lambda name: None,
) -> dict[str, list[float]]:
    """Time every run once per round, in an order rotated each round; return each one's ms."""
    names, durations = list(runs), {name: [] for name in runs}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            before_each()  # untimed: e.g. empty the table the run fills
            began = time.perf_counter()
            runs[name]()
            durations[name].append((time.perf_counter() - began) * 1000)
            after_each(name)  # untimed: e.g. check what the run stored
    return durations
