"""Checks for ex03: `course check 06 ex03` runs them against your task."""

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def fail():
    raise ConnectionError("down")


def test_it_opens_after_fail_max_failures_in_a_row():
    breaker = task.Breaker(fail_max=3, reset_after=10, clock=Clock())
    assert breaker.state == "closed"
    for _ in range(3):
        with pytest.raises(ConnectionError):
            breaker.call(fail)
    assert breaker.state == "open"


def test_a_success_resets_the_count():
    breaker = task.Breaker(fail_max=2, reset_after=10, clock=Clock())
    with pytest.raises(ConnectionError):
        breaker.call(fail)
    assert breaker.call(lambda: "ok") == "ok"
    with pytest.raises(ConnectionError):
        breaker.call(fail)
    assert breaker.state == "closed", "the failures were not in a row"


def test_while_open_it_fails_fast_without_calling():
    clock, calls = Clock(), []
    breaker = task.Breaker(fail_max=1, reset_after=10, clock=clock)
    with pytest.raises(ConnectionError):
        breaker.call(fail)
    clock.now += 9.9
    with pytest.raises(task.BreakerOpen):
        breaker.call(lambda: calls.append(1))
    assert calls == [], "an open breaker must not call the function"


def test_half_open_after_the_wait_and_a_trial_success_closes_it():
    clock = Clock()
    breaker = task.Breaker(fail_max=1, reset_after=10, clock=clock)
    with pytest.raises(ConnectionError):
        breaker.call(fail)
    clock.now += 10
    assert breaker.state == "half-open"
    assert breaker.call(lambda: "ok") == "ok"
    assert breaker.state == "closed"


def test_a_failed_trial_opens_it_again_and_the_wait_starts_over():
    clock = Clock()
    breaker = task.Breaker(fail_max=2, reset_after=10, clock=clock)
    for _ in range(2):
        with pytest.raises(ConnectionError):
            breaker.call(fail)
    clock.now += 10
    with pytest.raises(ConnectionError):
        breaker.call(fail)  # the trial fails: open again at once, not after fail_max more
    assert breaker.state == "open"
    clock.now += 5
    assert breaker.state == "open", "the wait starts over from the failed trial"
    clock.now += 5
    assert breaker.state == "half-open"
