"""A circuit breaker many threads can share: pybreaker's states, without its lock around calls.

pybreaker 1.4's `CircuitBreaker.call` runs the guarded call inside `with self._lock:`. Shared by
the request threads of an app, one breaker then lets one call through at a time, and while a
half-open trial runs, every other caller waits for it instead of failing fast. `SharedBreaker`
keeps pybreaker's states, counters, exclusions and listeners, and holds the lock only to decide
whether a call may go and to record its result.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pybreaker
from errors_domain import ShopError

logger = logging.getLogger(__name__)

Result = TypeVar("Result")


def is_transient(error: BaseException) -> bool:
    """Count and retry only what may succeed next time: timeouts, refused or dropped connections."""
    return isinstance(error, ShopError) and error.transient


class SharedBreaker(pybreaker.CircuitBreaker):
    """A pybreaker breaker whose guarded calls run concurrently, with one half-open trial."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._trial_in_flight = False

    def call(self, func: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
        """Call func unless the breaker refuses it; count its failure or success."""
        with self._lock:
            admitted, trial = self._admit()
        try:
            result = func(*args, **kwargs)
        except BaseException as error:
            self._record(admitted, trial, error)
            raise
        self._record(admitted, trial, None)
        return result

    def _admit(self) -> tuple[pybreaker.CircuitBreakerState, bool]:
        """Return the state the call runs under and whether it is the trial, or refuse it."""
        if self.current_state == pybreaker.STATE_OPEN:
            if seconds_until_trial(self, exact=True) > 0:
                raise pybreaker.CircuitBreakerError("circuit open")
            self.half_open()  # the reset timeout has passed: this call may be the trial
        if self.current_state == pybreaker.STATE_CLOSED:
            return self.state, False
        if self._trial_in_flight:
            raise pybreaker.CircuitBreakerError("circuit half-open: a trial call is in flight")
        self._trial_in_flight = True
        return self.state, True

    def _record(
        self, admitted: pybreaker.CircuitBreakerState, trial: bool, error: BaseException | None
    ) -> None:
        """Count the call's outcome in the state it was admitted under, if that still holds."""
        with self._lock:
            if trial:
                self._trial_in_flight = False
            if self.current_state != admitted.name:
                # a call admitted before the breaker opened (or closed) says nothing about
                # now: counting it could reopen the breaker in the middle of a trial
                return
            if error is None:
                admitted._handle_success()  # pybreaker's own bookkeeping (counters, listeners)
                return
            try:
                admitted._handle_error(error, reraise=False)
            except BaseException as raised:
                if raised is not error:  # a CircuitBreakerError from throw_new_error_on_trip
                    raise


class BreakerLog(pybreaker.CircuitBreakerListener):
    """Log every change of a breaker's state: the moment an operator wants to see."""

    def state_change(self, breaker: pybreaker.CircuitBreaker, old, new) -> None:
        logger.warning(
            "circuit %s: %s -> %s",
            breaker.name,
            old.name if old else None,
            new.name,
            extra={"breaker": breaker.name, "state": new.name},
        )


def make_breaker(name: str, fail_max: int = 5, reset_timeout: float = 30.0) -> SharedBreaker:
    """Return a breaker that opens after fail_max transient failures in a row."""
    return SharedBreaker(
        fail_max=fail_max,
        reset_timeout=reset_timeout,
        # a 404 or a bug is the caller's problem, not a sign that the service is down
        exclude=[lambda error: not is_transient(error)],
        listeners=[BreakerLog()],
        name=name,
        throw_new_error_on_trip=False,  # the call that trips it raises its own error
    )


def seconds_until_trial(breaker: pybreaker.CircuitBreaker, *, exact: bool = False) -> float:
    """Return the wait until an open breaker lets a trial through: whole seconds (>= 1) or exact."""
    opened_at = breaker._state_storage.opened_at  # pybreaker keeps it there, as a UTC time
    elapsed = 0.0 if opened_at is None else (datetime.now(UTC) - opened_at).total_seconds()
    remaining = breaker.reset_timeout - elapsed
    return remaining if exact else max(1, math.ceil(remaining))  # Retry-After: whole seconds
