"""Passwords stored so that a stolen database is worth little, and logins that reveal nothing.

Run it to see, in numbered steps: an Argon2id hash and what its parts mean; the password
policy (length over composition, a list of common passwords); how many guesses per second an
attacker gets against SHA-256 and against Argon2id on this machine; that a login for an
unknown account costs the same as one for a real account (the dummy hash); and a stored hash
upgraded on login after the parameters were raised.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from auth_config import AuthSettings, run_main
from auth_store import User, find_user
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

MIN_LENGTH = 12  # ASVS 4.0.3 2.1.1 (ASVS 5.0 asks for 8, and 15 is NIST's single-factor minimum)
MAX_LENGTH = 128  # a bounded hash input: longer passwords are refused before any hashing
COMMON_PASSWORDS_FILE = Path(__file__).with_name("auth_common_passwords.txt")


class WeakPassword(ValueError):
    """A new password that the policy refuses, with the reason a user can act on."""


def make_hasher(settings: AuthSettings) -> PasswordHasher:
    """Return an Argon2id hasher with the settings' cost parameters."""
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def load_common_passwords(path: Path = COMMON_PASSWORDS_FILE) -> frozenset[str]:
    """Read the list of common passwords, lower-cased."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def normalise_password(password: str) -> str:
    """Return the password in Unicode NFKC form, so the same typed text hashes the same."""
    return unicodedata.normalize("NFKC", password)


def check_policy(password: str, *, email: str, common: frozenset[str]) -> None:
    """Raise WeakPassword unless the password is long enough and not a known or obvious one."""
    password = normalise_password(password)
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"use at least {MIN_LENGTH} characters (a passphrase is fine)")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"use at most {MAX_LENGTH} characters")
    lowered = password.lower()
    if lowered in common:
        raise WeakPassword("this password is on a list of common passwords; choose another")
    if lowered == email.lower() or lowered == email.split("@")[0].lower():
        raise WeakPassword("do not use your email address as your password")


@dataclass
class Passwords:
    """Hash, verify and upgrade passwords; verify a dummy hash when there is no account."""

    hasher: PasswordHasher
    dummy_hash: str = ""

    def __post_init__(self) -> None:
        # the dummy has the same parameters as real hashes, so verifying it costs the same
        self.dummy_hash = self.hasher.hash("dummy password for unknown accounts")

    def hash(self, password: str) -> str:
        """Return the Argon2id hash (salt and parameters included) of a password."""
        return self.hasher.hash(normalise_password(password))

    def verify(self, password_hash: str, password: str) -> bool:
        """Return whether the password matches; a malformed hash is a mismatch, logged."""
        if len(password) > MAX_LENGTH:
            return False  # never spend a hash on an oversized input
        try:
            return self.hasher.verify(password_hash, normalise_password(password))
        except InvalidHashError:
            logger.error("a stored password hash is malformed")
            return False
        except VerificationError:  # VerifyMismatchError is the usual one
            return False

    def authenticate(self, session: Session, email: str, password: str) -> User | None:
        """Return the user if the password is right, in the same time whether or not they exist."""
        user = find_user(session, email)
        if user is None:
            self.verify(self.dummy_hash, password)  # the same work as a real account
            return None
        if not self.verify(user.password_hash, password):
            return None
        if self.hasher.check_needs_rehash(user.password_hash):
            # the only moment we hold the plain password: upgrade the hash to today's cost
            user.password_hash = self.hash(password)
            session.commit()
            logger.info("upgraded the password hash of user %s", user.id)
        return user


def main() -> None:
    from auth_bench import guesses_per_second, guesses_per_second_sha256, login_seconds
    from auth_config import load_auth_settings
    from auth_store import add_user, create_schema, make_engine

    import course
    from course.sandbox import temporary_postgres_database

    logging.basicConfig(level=logging.ERROR)  # the demo uses the development secret
    base = course.require("postgres")
    with temporary_postgres_database(base, prefix="auth_passwords") as url:
        settings = load_auth_settings(url, base.redis_url)
        passwords = Passwords(make_hasher(settings))
        stored = passwords.hash("correct horse battery staple")
        print("1. An Argon2id hash carries its algorithm, version, parameters and salt:")
        print(f"   {stored}")
        again = passwords.hash("correct horse battery staple")
        print(f"   the same password again, another salt: {again[:50]}...")
        print("2. The policy refuses short, common and obvious passwords:")
        for candidate in ["Tr0ub4dor&3", "passwordpassword", "ada@example.com", "x" * 129]:
            try:
                check_policy(candidate, email="ada@example.com", common=load_common_passwords())
            except WeakPassword as error:
                shown = repr(candidate) if len(candidate) <= 24 else f"'x' * {len(candidate)}"
                print(f"   {shown:28} refused: {error}")
        sha_rate, _ = guesses_per_second_sha256()
        argon_rate = guesses_per_second(passwords.hasher, stored, guesses=3)
        print("3. Guesses per second an attacker with this machine gets:")
        print(f"   SHA-256: {sha_rate:,.0f}/s; Argon2id (64 MiB, t=3, p=4): {argon_rate:,.1f}/s")
        print(f"   Argon2id makes each guess {sha_rate / argon_rate:,.0f}x more expensive")
        engine = make_engine(url)
        create_schema(engine)
        with Session(engine) as session:
            add_user(session, "ada@example.com", stored)
            session.commit()
            known = login_seconds(passwords, session, "ada@example.com", tries=2)
            unknown = login_seconds(passwords, session, "nobody@example.com", tries=2)
            print("4. A failed login costs the same with or without an account (dummy hash):")
            print(f"   known account: {known * 1000:.1f} ms; unknown: {unknown * 1000:.1f} ms")
            cheap = Passwords(make_hasher(settings.with_changes(argon2_memory_kib=8192)))
            user = find_user(session, "ada@example.com")
            user.password_hash = cheap.hash("correct horse battery staple")
            session.commit()
            print("5. A hash made with weaker parameters is upgraded at the next login:")
            print(f"   before: {user.password_hash[:31]}...")
            passwords.authenticate(session, "ada@example.com", "correct horse battery staple")
            print(f"   after:  {user.password_hash[:31]}...")
        engine.dispose()
    print("Conclusion: a slow, salted, memory-hard hash; one hash per login attempt, account")
    print("or not; and parameters you can raise, since every login upgrades the old hashes.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    run_main(main)
