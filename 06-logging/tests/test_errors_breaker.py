"""One breaker shared by many threads: calls run side by side, and half-open lets one trial in."""

import threading
import time

import pybreaker
import pytest
from errors_domain import DependencyUnavailable
from errors_resilience import make_breaker


def in_thread(function) -> tuple[threading.Thread, list]:
    """Run function in a thread; the list receives its result or its exception."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(function())
        except Exception as error:  # the test inspects it
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_calls_through_one_closed_breaker_run_at_the_same_time():
    breaker = make_breaker("parallel")
    # each call waits until all four are inside: a breaker that runs one call at a time
    # (pybreaker's own lock around the call) never gets there and breaks the barrier
    together = threading.Barrier(4, timeout=5)
    runs = [in_thread(lambda: breaker.call(together.wait)) for _ in range(4)]
    for thread, _ in runs:
        thread.join(10)
    outcomes = [outcome[0] for _, outcome in runs]
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes


def open_then_due(breaker: pybreaker.CircuitBreaker) -> None:
    """Trip breaker (fail_max=1), then wait out its tiny reset timeout: the next call is a trial."""

    def fail() -> None:
        raise DependencyUnavailable("rates")

    with pytest.raises(DependencyUnavailable):
        breaker.call(fail)
    assert breaker.current_state == pybreaker.STATE_OPEN
    time.sleep(breaker.reset_timeout * 2)


def test_half_open_lets_one_trial_through_and_the_others_fail_at_once():
    breaker = make_breaker("trial", fail_max=1, reset_timeout=0.02)
    open_then_due(breaker)
    inside, release = threading.Event(), threading.Event()

    def slow_trial() -> str:
        inside.set()
        release.wait(5)
        return "recovered"

    trial, trial_outcome = in_thread(lambda: breaker.call(slow_trial))
    assert inside.wait(5)
    # while the trial runs, another caller is refused at once instead of waiting for it
    other, other_outcome = in_thread(lambda: breaker.call(lambda: "second"))
    other.join(2)
    finished_while_trial_ran = not other.is_alive()
    release.set()
    trial.join(5)
    other.join(5)
    assert finished_while_trial_ran, "the second caller waited for the trial to finish"
    assert isinstance(other_outcome[0], pybreaker.CircuitBreakerError), other_outcome
    assert trial_outcome == ["recovered"] and breaker.current_state == pybreaker.STATE_CLOSED
    assert breaker.call(lambda: "after") == "after"


def test_a_failed_trial_opens_the_breaker_again_and_the_next_trial_may_go():
    breaker = make_breaker("retrial", fail_max=1, reset_timeout=0.02)
    open_then_due(breaker)

    def fail() -> None:
        raise DependencyUnavailable("rates")

    with pytest.raises(DependencyUnavailable):
        breaker.call(fail)
    assert breaker.current_state == pybreaker.STATE_OPEN
    with pytest.raises(pybreaker.CircuitBreakerError):  # open again: refused
        breaker.call(lambda: "too soon")
    time.sleep(0.04)
    assert breaker.call(lambda: "ok") == "ok", "the trial flag must be cleared after a failure"


def test_a_call_started_before_the_breaker_opened_does_not_reopen_it_during_a_trial():
    breaker = make_breaker("straggler", fail_max=2, reset_timeout=0.02)
    inside, release = threading.Event(), threading.Event()

    def straggler() -> None:
        inside.set()
        release.wait(5)
        raise DependencyUnavailable("rates")

    old, _ = in_thread(lambda: breaker.call(straggler))  # admitted while closed
    assert inside.wait(5)
    for _ in range(2):
        with pytest.raises(DependencyUnavailable):
            breaker.call(_raise)
    assert breaker.current_state == pybreaker.STATE_OPEN
    time.sleep(0.04)
    trial_inside, trial_release = threading.Event(), threading.Event()

    def trial() -> str:
        trial_inside.set()
        trial_release.wait(5)
        return "ok"

    trial_thread, trial_outcome = in_thread(lambda: breaker.call(trial))
    assert trial_inside.wait(5)
    release.set()  # the old call now fails, while the trial is in flight
    old.join(5)
    assert breaker.current_state == pybreaker.STATE_HALF_OPEN, "a straggler reopened it"
    trial_release.set()
    trial_thread.join(5)
    assert trial_outcome == ["ok"] and breaker.current_state == pybreaker.STATE_CLOSED


def _raise() -> None:
    raise DependencyUnavailable("rates")
