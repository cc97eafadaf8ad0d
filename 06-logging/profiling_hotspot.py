"""Profiling: a slow report found with cProfile and fixed; a memory leak found with tracemalloc.

Running it builds a sales report over 3,000 orders the slow way and profiles it: cProfile
names the hot spot (a membership test on a list, inside a loop: quadratic), and
pyinstrument, a sampling profiler, shows the same in its call tree. The fixed
version uses a set; both timings are printed with their ratio. Then a cache that keeps
every request's payload is run for 2,000 requests between two `tracemalloc` snapshots, and
the snapshot difference points at the lines whose allocations are still alive: the payload
and the list that holds on to it.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import time
import tracemalloc
from collections.abc import Callable


def make_orders(count: int, seed: int = 7) -> list[dict]:
    """Return `count` orders with customers drawn from a pool, reproducibly."""
    rng = random.Random(seed)  # nosec B311  # seeded sample data, not a secret
    return [
        {"customer": f"c{rng.randrange(count // 2)}", "total_cents": rng.randrange(100, 10_000)}
        for _ in range(count)
    ]


def report_slow(orders: list[dict]) -> dict[str, int]:
    """Total per customer, and how many distinct customers (WRONG: quadratic)."""
    seen: list[str] = []
    totals: dict[str, int] = {}
    for order in orders:
        if order["customer"] not in seen:  # a scan of the whole list, for every order
            seen.append(order["customer"])
        totals[order["customer"]] = totals.get(order["customer"], 0) + order["total_cents"]
    return {"customers": len(seen), "top_total": max(totals.values())}


def report_fast(orders: list[dict]) -> dict[str, int]:
    """The same report, with the distinct customers in a set: linear."""
    totals: dict[str, int] = {}
    for order in orders:
        totals[order["customer"]] = totals.get(order["customer"], 0) + order["total_cents"]
    return {"customers": len(set(totals)), "top_total": max(totals.values())}


def profile(function: Callable[[], object]) -> pstats.Stats:
    """Run function under cProfile and return its statistics."""
    profiler = cProfile.Profile()
    profiler.runcall(function)
    return pstats.Stats(profiler, stream=io.StringIO())


def hottest_line(stats: pstats.Stats) -> tuple[str, float]:
    """Return the function (file:line name) with the most time spent in itself, and that time."""
    entries = stats.stats  # {(file, line, name): (calls, primitive, tottime, cumtime, callers)}
    (file, line, name), timing = max(entries.items(), key=lambda item: item[1][2])
    return f"{file.rsplit('/', 1)[-1]}:{line}({name})", timing[2]


def sampled_profile(function: Callable[[], object]) -> str:
    """Run function under pyinstrument (a sampling profiler) and return its call tree as text."""
    from pyinstrument import Profiler  # imported here: only this demo needs it

    profiler = Profiler(interval=0.0005)  # a sample every 0.5 ms, whatever the call rate
    profiler.start()
    try:
        function()
    finally:
        profiler.stop()
    return profiler.output_text(unicode=False, color=False)


def best_of(function: Callable[[], object], repeats: int = 3) -> float:
    """Return the fastest of `repeats` runs, in seconds."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


class LeakyCache:
    """Remember every payload seen 'for debugging' (WRONG: nothing ever removes them)."""

    def __init__(self) -> None:
        self.history: list[bytes] = []

    def handle(self, request_number: int) -> int:
        payload = bytes(1024) + str(request_number).encode()
        self.history.append(payload)  # the leak: grows by a kilobyte per request, forever
        return len(payload)


def leak_report(requests: int) -> list[str]:
    """Run the leaky handler between two snapshots; return the top three growing lines."""
    cache = LeakyCache()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for number in range(requests):
            cache.handle(number)
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    differences = after.compare_to(before, "lineno")
    return [str(difference) for difference in differences[:3]]


def benchmark(settings: object = None, orders_count: int = 5_000) -> list[dict]:
    """The figure for `make bench`: the report before and after its fix (no service needed)."""
    orders = make_orders(orders_count)
    slow, fast = best_of(lambda: report_slow(orders)), best_of(lambda: report_fast(orders))
    return [
        {
            "name": f"the sales report over {orders_count:,} orders: a set vs a list scan",
            "baseline_label": "list scan (before)",
            "baseline": round(slow * 1000, 2),
            "measured_label": "set (after)",
            "measured": round(fast * 1000, 3),
            "unit": "ms",
            "ratio": round(slow / fast, 1),
        }
    ]


def main() -> None:
    orders = make_orders(3_000)
    print("1. cProfile on the slow report: the function with the most time in itself is")
    where, seconds = hottest_line(profile(lambda: report_slow(orders)))
    print(f"   {where}: {seconds * 1000:.1f} ms (the `not in seen` list scan runs inside it)")
    print("   pyinstrument samples the stack instead of recording every call; its tree:")
    tree = sampled_profile(lambda: report_slow(orders))
    for line in [line for line in tree.splitlines() if "report_slow" in line][:1]:
        print(f"   {line.strip()}")
    same = report_slow(orders) == report_fast(orders)  # a fix changes speed, not answers
    slow, fast = best_of(lambda: report_slow(orders)), best_of(lambda: report_fast(orders))
    print(
        f"2. Before: {slow * 1000:.1f} ms; after (a set): {fast * 1000:.2f} ms; "
        f"{slow / fast:.0f}x faster; the same report: {same}"
    )
    print("3. tracemalloc: what grew while 2,000 requests went through LeakyCache:")
    for line in leak_report(2_000):
        print(f"   {line.rsplit('/', 1)[-1]}")
    print("Conclusion: measure before fixing; cProfile says where the time goes, tracemalloc")
    print("which line holds the memory; a sampling profiler (pyinstrument, py-spy) costs little")
    print("enough to run against a live process.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
