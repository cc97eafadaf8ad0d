"""Retries with exponential backoff and jitter (tenacity), through a circuit breaker (pybreaker).

Running it calls a real upstream (`errors_faults.FaultyUpstream`) that drops connections:
the retry policy tries three times, logging each backoff; only transient errors are retried
(a 404 is not). Then five failures open the breaker, further calls fail at once without
touching the network, and after the reset timeout one trial call (half-open) closes it again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import pybreaker
import tenacity
from errors_breaker import SharedBreaker, is_transient, make_breaker, seconds_until_trial
from errors_domain import CircuitOpen, ShopError

logger = logging.getLogger(__name__)

Result = TypeVar("Result")


def log_retry(state: tenacity.RetryCallState) -> None:
    """Log one WARNING before each backoff: the attempt, the wait and the error."""
    # tenacity's own before_sleep_log names the wrapped function, and the iterator form
    # (`for attempt in policy`) has none: it would print "Retrying <unknown> ..."
    error = state.outcome.exception() if state.outcome else None
    logger.warning(
        "attempt %d failed with %s: %s; retrying in %.3f s",
        state.attempt_number,
        type(error).__name__,
        error,
        state.next_action.sleep if state.next_action else 0.0,
        extra={"attempt": state.attempt_number},
    )


def retry_policy(
    attempts: int = 3,
    first_wait: float = 0.1,
    max_wait: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> tenacity.Retrying:
    """Return a policy: `attempts` tries, waits doubling from first_wait, jittered, capped."""
    return tenacity.Retrying(
        stop=tenacity.stop_after_attempt(attempts),
        # first_wait * 2**n plus up to `jitter` random seconds, so that many clients that failed
        # together do not all come back at the same instant
        wait=tenacity.wait_exponential_jitter(
            multiplier=first_wait, max=max_wait, jitter=first_wait
        ),
        retry=tenacity.retry_if_exception(is_transient),
        before_sleep=log_retry,
        sleep=sleep,  # the tests pass a function that records the waits instead of sleeping
        reraise=True,  # the caller sees the last real error, not tenacity's RetryError
    )


def call_resiliently(
    function: Callable[[], Result],
    *,
    breaker: SharedBreaker,
    policy: tenacity.Retrying,
) -> Result:
    """Call function through the breaker, retrying transient failures by the policy."""
    for attempt in policy.copy():  # a fresh copy: one policy may serve many threads
        with attempt:
            try:
                return breaker.call(function)
            except pybreaker.CircuitBreakerError as error:
                # open: fail fast, and do not retry (CircuitOpen is not transient)
                open_error = CircuitOpen(breaker.name, "circuit open")
                open_error.retry_after = seconds_until_trial(breaker)
                raise open_error from error
    raise AssertionError("unreachable: tenacity re-raises the last error")


def main() -> None:
    import httpx2
    from errors_domain import translated
    from errors_faults import FaultyUpstream

    logging.basicConfig(level=logging.WARNING, format="   log: %(levelname)s %(message)s")
    waits: list[float] = []
    policy = retry_policy(
        attempts=3, first_wait=0.05, sleep=lambda s: (waits.append(s), time.sleep(s))
    )
    breaker = make_breaker("rates", fail_max=5, reset_timeout=0.2)
    with FaultyUpstream(mode="drop") as upstream, httpx2.Client(timeout=0.5) as client:

        def fetch_rate() -> dict:
            with translated("rates"):
                return client.get(f"{upstream.url}/rates/EUR").json()

        print("1. A dropping upstream, 3 attempts with backoff:")
        try:
            call_resiliently(fetch_rate, breaker=breaker, policy=policy)
        except ShopError as error:
            print(f"   gave up: {type(error).__name__}; waits {[round(w, 3) for w in waits]} s")
        print(
            f"2. The breaker counted step 1's 3 attempts ({breaker.current_state}); 2 more"
            " open it, and a third call fails fast:"
        )
        for _ in range(3):
            try:
                call_resiliently(fetch_rate, breaker=breaker, policy=retry_policy(attempts=1))
            except ShopError as error:
                print(f"   {type(error).__name__}; breaker {breaker.current_state}")
        before = upstream.requests
        try:
            call_resiliently(fetch_rate, breaker=breaker, policy=policy)
        except CircuitOpen:
            print(f"3. Open: failed fast, the upstream saw {upstream.requests - before} requests")
        upstream.mode = "ok"
        time.sleep(0.25)  # the demo waits out the reset timeout; the tests use 50 ms
        answer = call_resiliently(fetch_rate, breaker=breaker, policy=policy)
        print(f"4. After the reset timeout, the trial call (half-open) answered: {answer}")
        print(f"   breaker {breaker.current_state}")
    print("Conclusion: retry the transient, with growing, jittered waits; stop hammering a")
    print("service that is down (open), and probe it once before trusting it again.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
