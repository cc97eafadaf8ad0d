"""Real driver errors become domain errors; retries and the breaker act on transient ones only."""

import datetime
import logging
import time

import httpx2
import pybreaker
import pytest
import redis
import sqlalchemy as sa
from errors_domain import (
    CircuitOpen,
    DependencyTimeout,
    DependencyUnavailable,
    NotFound,
    UpstreamBroken,
    problem,
    translated,
)
from errors_faults import FaultyUpstream, closed_port
from errors_resilience import call_resiliently, make_breaker, retry_policy


def test_real_refused_connections_become_dependency_unavailable_with_the_cause_kept():
    port = closed_port()
    engine = sa.create_engine(f"postgresql+psycopg://course@127.0.0.1:{port}/course")
    calls = {
        "postgres": engine.connect,
        "redis": redis.Redis(port=port, socket_connect_timeout=1, retry=None).ping,
        "rates": lambda: httpx2.get(f"http://127.0.0.1:{port}/", timeout=1),
    }
    for dependency, call in calls.items():
        with pytest.raises(DependencyUnavailable) as caught, translated(dependency):
            call()
        assert caught.value.dependency == dependency
        assert caught.value.__cause__ is not None, "the driver's error must stay the cause"
    engine.dispose()


@pytest.mark.parametrize(
    "mode, error_type, status", [("slow", DependencyTimeout, 504), ("drop", UpstreamBroken, 502)]
)
def test_a_slow_or_dropping_upstream_is_a_timeout_or_a_broken_answer(mode, error_type, status):
    with (
        FaultyUpstream(mode=mode, delay=5) as upstream,
        httpx2.Client(timeout=0.1) as client,
        pytest.raises(error_type) as caught,
        translated("rates"),
    ):
        client.get(f"{upstream.url}/rates/EUR")
    assert caught.value.status == status


def test_a_problem_document_carries_the_request_id_and_no_driver_text():
    error = DependencyUnavailable("postgres", "OperationalError: connection to 10.0.0.5 refused")
    body = problem(error, "req-42")
    assert body["status"] == 503 and body["request_id"] == "req-42"
    assert "10.0.0.5" not in str(body) and "OperationalError" not in str(body)


def make_flaky(failures: int, error: Exception):
    calls = []

    def call() -> str:
        calls.append(time.monotonic())
        if len(calls) <= failures:
            raise error
        return "ok"

    return call, calls


def test_transient_failures_are_retried_with_growing_jittered_waits(caplog):
    waits: list[float] = []
    call, calls = make_flaky(2, DependencyTimeout("rates"))
    policy = retry_policy(attempts=3, first_wait=0.1, max_wait=5, sleep=waits.append)
    with caplog.at_level(logging.WARNING, logger="errors_resilience"):
        result = call_resiliently(call, breaker=make_breaker("t1"), policy=policy)
    assert result == "ok" and len(calls) == 3
    # 0.1 * 2**n plus up to 0.1 of jitter: [0.1, 0.2) then [0.2, 0.3)
    assert 0.1 <= waits[0] < 0.2 <= waits[1] < 0.3
    assert [r.levelname for r in caplog.records] == ["WARNING", "WARNING"]
    assert "DependencyTimeout" in caplog.records[0].getMessage()
    assert caplog.records[0].getMessage().startswith("attempt 1 failed")  # no "<unknown>"
    # jitter: the first wait differs between runs (without it, it is always exactly 0.1)
    first_waits = set()
    for _ in range(10):
        waits.clear()
        call, _ = make_flaky(1, DependencyTimeout("rates"))
        call_resiliently(call, breaker=make_breaker("t1j"), policy=policy)
        first_waits.add(round(waits[0], 9))
    assert len(first_waits) > 1, f"no jitter: {first_waits}"


def test_a_permanent_error_is_not_retried_and_does_not_trip_the_breaker():
    waits: list[float] = []
    call, calls = make_flaky(10, NotFound("no such sku"))
    breaker = make_breaker("t2", fail_max=1)
    with pytest.raises(NotFound):
        call_resiliently(call, breaker=breaker, policy=retry_policy(sleep=waits.append))
    assert (len(calls), waits, breaker.current_state) == (1, [], "closed")


def test_the_breaker_opens_fails_fast_half_opens_and_closes(caplog):
    call, calls = make_flaky(3, DependencyUnavailable("rates"))
    breaker = make_breaker("t3", fail_max=3, reset_timeout=30)
    once = retry_policy(attempts=1)
    for _ in range(3):
        with pytest.raises(DependencyUnavailable):
            call_resiliently(call, breaker=breaker, policy=once)
    assert breaker.current_state == pybreaker.STATE_OPEN

    waits: list[float] = []
    with pytest.raises(CircuitOpen):  # not even tried: the upstream is spared
        call_resiliently(call, breaker=breaker, policy=retry_policy(sleep=waits.append))
    assert len(calls) == 3
    assert waits == [], "CircuitOpen is not transient: the retry stops at once"
    breaker._state_storage.opened_at -= datetime.timedelta(seconds=20)  # opened 20 s ago
    with pytest.raises(CircuitOpen) as caught:
        call_resiliently(call, breaker=breaker, policy=once)
    assert caught.value.retry_after == 10, "Retry-After is what is left of reset_timeout"

    breaker.reset_timeout = 0  # as if the 30 s had passed: the next call is the half-open trial
    assert call_resiliently(call, breaker=breaker, policy=once) == "ok"
    assert breaker.current_state == pybreaker.STATE_CLOSED
    states = [r.state for r in caplog.records if getattr(r, "breaker", None) == "t3"]
    assert states == ["open", "half-open", "closed"]


def test_pybreakers_own_breaker_serialises_its_calls_which_is_why_the_shop_uses_sharedbreaker():
    import threading

    plain = pybreaker.CircuitBreaker()  # the library's class, not the lesson's SharedBreaker
    inside, release, second_ran = threading.Event(), threading.Event(), threading.Event()

    def stalled() -> str:
        inside.set()
        release.wait(5)
        return "slow"

    first = threading.Thread(target=plain.call, args=(stalled,))
    first.start()
    assert inside.wait(5)
    # pybreaker holds its lock for the whole call: the second caller waits for the first
    second = threading.Thread(target=plain.call, args=(second_ran.set,))
    second.start()
    assert not second_ran.wait(0.2), "pybreaker no longer serialises: update errors_breaker"
    release.set()
    assert second_ran.wait(5)
    first.join()
    second.join()
