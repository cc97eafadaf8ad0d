"""The lesson's measurements: password guesses, token checks and session lookups per second.

`make bench` calls `benchmark(settings)`; the demos call the same functions with smaller
counts. Every figure is a ratio with both absolute numbers beside it, measured in one run on
this machine; none is asserted by a test.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import time

import bcrypt
import jwt
import redis
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from auth_config import REAL_ARGON2, run_main
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
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


def guesses_per_second_bcrypt(rounds: int = 12, guesses: int = 3) -> float:
    """Measure wrong bcrypt guesses per second at `rounds` (OWASP: at least 10)."""
    stored = bcrypt.hashpw(b"the real password", bcrypt.gensalt(rounds))
    start = time.perf_counter()
    for number in range(guesses):
        bcrypt.checkpw(b"guess%d" % number, stored)
    return guesses / (time.perf_counter() - start)


def verifications_per_second(count: int = 300) -> dict[str, float]:
    """Measure JWT verifications per second for HS256, RS256 and EdDSA."""
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    setups = {
        "HS256": (secrets.token_bytes(32), None),
        "RS256": (rsa_key, rsa_key.public_key()),
        "EdDSA": (ed_key, ed_key.public_key()),
    }
    rates = {}
    for algorithm, (signing_key, verifying_key) in setups.items():
        token = jwt.encode({"sub": "1"}, signing_key, algorithm=algorithm)
        start = time.perf_counter()
        for _ in range(count):
            jwt.decode(token, verifying_key or signing_key, algorithms=[algorithm])
        rates[algorithm] = count / (time.perf_counter() - start)
    return rates


def session_lookups_per_second(client: redis.Redis, count: int = 300) -> float:
    """Measure GETs of a session-sized value in Redis per second (one round trip each)."""
    key = f"auth:bench:{secrets.token_hex(4)}"
    client.set(key, b"x" * 200, ex=60)
    start = time.perf_counter()
    for _ in range(count):
        client.get(key)
    elapsed = time.perf_counter() - start
    client.delete(key)
    return count / elapsed


def significant(value: float) -> float:
    """Round to three significant digits: 0.0412 stays 0.0412, 469791.4 becomes 470000."""
    return float(f"{value:.3g}")


def figure(name: str, baseline: tuple[str, float], measured: tuple[str, float], unit: str) -> dict:
    """Return one `make bench` figure: the ratio is baseline / measured."""
    return {
        "name": name,
        "baseline_label": baseline[0],
        "baseline": significant(baseline[1]),
        "measured_label": measured[0],
        "measured": significant(measured[1]),
        "unit": unit,
        "ratio": significant(baseline[1] / measured[1]),
    }


def benchmark(settings, *, guesses: int = 5, count: int = 300) -> list[dict]:
    """The figures for `make bench`: password guesses, token checks, session lookups."""
    hasher = PasswordHasher.from_parameters(REAL_ARGON2)
    argon = guesses_per_second(hasher, hasher.hash("the real password"), guesses)
    sha256, _ = guesses_per_second_sha256()
    tokens = verifications_per_second(count)
    with redis.Redis.from_url(settings.redis_url) as client:
        lookups = session_lookups_per_second(client, count)
    unit = "per second"
    return [
        figure("Password guesses: SHA-256 against Argon2id (64 MiB, t=3, p=4)",
               ("SHA-256", sha256), ("Argon2id", argon), unit),
        figure("Password guesses: bcrypt (cost 12) against Argon2id",
               ("bcrypt", guesses_per_second_bcrypt(guesses=max(1, guesses // 2))),
               ("Argon2id", argon), unit),
        figure("JWT verification: HS256 against RS256", ("HS256", tokens["HS256"]),
               ("RS256", tokens["RS256"]), unit),
        figure("JWT verification: EdDSA against RS256", ("EdDSA", tokens["EdDSA"]),
               ("RS256", tokens["RS256"]), unit),
        figure("A token check in memory against a session lookup in Redis",
               ("RS256 verify", tokens["RS256"]), ("Redis GET", lookups), unit),
    ]  # fmt: skip


def main() -> None:
    import course

    settings = course.require("redis")
    print("Measuring on this machine (Argon2id with the real parameters: a few seconds) ...")
    for number, result in enumerate(benchmark(settings, guesses=3, count=200), start=1):
        print(f"{number}. {result['name']}")
        print(
            f"   {result['baseline_label']}: {result['baseline']:,} {result['unit']}; "
            f"{result['measured_label']}: {result['measured']:,} {result['unit']} "
            f"(ratio {result['ratio']:,})"
        )
    print("Conclusion: a slow hash turns an attacker's millions of guesses per second per core")
    print("into a handful; a token check and a session lookup both cost well under a")
    print("millisecond, so choose between them for revocation and size, not for speed.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    run_main(main)
