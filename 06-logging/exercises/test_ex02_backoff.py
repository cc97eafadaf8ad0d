"""Checks for ex02: `course check 06 ex02` runs them against your task."""

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


def test_the_delays_double_and_stop_at_the_cap():
    delays = task.backoff_delays(5, first=0.1, cap=0.5, rand=lambda: 1.0)
    assert delays == pytest.approx([0.1, 0.2, 0.4, 0.5, 0.5]), "first * 2**n, never above cap"


def test_full_jitter_scales_each_delay_by_rand():
    values = iter([0.5, 0.25, 0.0])
    delays = task.backoff_delays(3, first=1.0, cap=60, rand=lambda: next(values))
    assert delays == pytest.approx([0.5, 0.5, 0.0])


def flaky(failures, error):
    calls = []

    def call():
        calls.append(1)
        if len(calls) <= failures:
            raise error
        return "ok"

    return call, calls


def test_transient_errors_are_retried_after_each_delay():
    slept = []
    call, calls = flaky(2, TimeoutError("slow"))
    result = task.retry_call(call, 3, [0.1, 0.2, 0.4], slept.append, lambda e: True)
    assert (result, len(calls), slept) == ("ok", 3, [0.1, 0.2])


def test_the_last_error_is_raised_when_the_retries_run_out():
    slept = []
    call, calls = flaky(10, TimeoutError("still slow"))
    with pytest.raises(TimeoutError):
        task.retry_call(call, 2, [0.1, 0.2], slept.append, lambda e: True)
    assert (len(calls), slept) == (3, [0.1, 0.2]), "one call plus two retries, two sleeps"


def test_a_permanent_error_is_raised_at_once_without_sleeping():
    slept = []
    call, calls = flaky(10, KeyError("no such order"))
    with pytest.raises(KeyError):
        task.retry_call(call, 3, [1, 2, 3], slept.append, lambda e: isinstance(e, TimeoutError))
    assert (len(calls), slept) == (1, [])
