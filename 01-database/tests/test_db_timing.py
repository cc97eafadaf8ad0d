"""The timing helpers behind every ratio of parts 1-2, on a fake clock: what lies inside a run."""

import db_timing
import pytest
from db_timing import alternating_ms, latencies_ms, median_ms


@pytest.fixture
def clock(monkeypatch):
    """A clock that moves only when the test says so: each `tick(ms)` adds to it."""
    now = [0.0]

    def tick(ms: float) -> None:
        now[0] += ms / 1000

    monkeypatch.setattr(db_timing.time, "perf_counter", lambda: now[0])
    return tick


def test_set_up_and_checks_stay_outside_each_timed_run(clock):
    # each run takes 1 ms, each set-up and check 50 ms: a timer around them would show 51+
    runs = {"a": lambda: clock(1), "b": lambda: clock(1)}

    durations = alternating_ms(
        runs, rounds=3, before_each=lambda: clock(50), after_each=lambda name: clock(50)
    )

    assert durations == {"a": pytest.approx([1.0] * 3), "b": pytest.approx([1.0] * 3)}


def test_latencies_warm_up_untimed_then_time_each_sample(clock):
    calls = []

    def run() -> None:
        calls.append(len(calls))
        clock(10 if len(calls) <= 3 else 2)  # the warm-up runs are the slow, cold ones

    durations = latencies_ms(run, samples=5, warm_up=3)

    assert len(calls) == 8, "three warm-up runs, then five timed ones"
    assert durations == pytest.approx([2.0] * 5), "the warm-up runs are not among the timed ones"


def test_the_median_is_of_the_timed_runs_only(clock):
    lengths = iter([100, 100, 100, 1, 2, 3, 4, 50])  # three warm-ups, then five timed

    assert median_ms(lambda: clock(next(lengths)), repeat=5, warm_up=3) == pytest.approx(3.0)


def test_the_order_rotates_every_round_so_no_run_always_goes_first(clock):
    order = []
    runs = {name: (lambda name=name: order.append(name)) for name in "abc"}

    alternating_ms(runs, rounds=3)

    assert order == [*"abc", *"bca", *"cab"]
