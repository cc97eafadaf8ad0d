"""The lesson's measurements: password guesses, token checks and session lookups per second.

`make bench` calls `benchmark(settings)`; the demos call the same functions with smaller
counts. Every figure is a ratio with both absolute numbers beside it, measured in one run on
this machine; none is asserted by a test.
"""

from __future__ import annotations

import contextlib
import hashlib
import time

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy.orm import Session


def guesses_per_second_sha256(seconds: float = 0.2) -> tuple[float, int]:
    """Measure how many SHA-256 password guesses this machine makes per second."""
    salt, count, deadline = b"0123456789abcdef", 0, time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < deadline:
        for number in range(1000):
            hashlib.sha256(salt + b"guess%d" % number).digest()
        count += 1000
    return count / (time.perf_counter() - start), count


def guesses_per_second(hasher: PasswordHasher, stored: str, guesses: int = 5) -> float:
    """Measure how many wrong guesses per second `hasher` lets an attacker check."""
    start = time.perf_counter()
    for number in range(guesses):
        # every guess is wrong, as expected: the work is what we measure
        with contextlib.suppress(VerificationError):
            hasher.verify(stored, f"guess{number}")
    return guesses / (time.perf_counter() - start)


def login_seconds(passwords, session: Session, email: str, tries: int = 3) -> float:
    """Return the fastest of `tries` failed logins for `email`, in seconds."""
    fastest = float("inf")
    for _ in range(tries):
        start = time.perf_counter()
        passwords.authenticate(session, email, "a wrong password")
        fastest = min(fastest, time.perf_counter() - start)
    return fastest
