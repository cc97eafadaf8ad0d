"""Passwords: Argon2id hashes, the policy, the dummy hash and the upgrade on login."""

from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher
from auth_passwords import (
    MAX_LENGTH,
    Passwords,
    WeakPassword,
    check_policy,
    load_common_passwords,
    make_hasher,
)
from auth_store import add_user, find_user
from sqlalchemy.orm import Session


@pytest.fixture
def passwords(auth_settings) -> Passwords:
    return Passwords(make_hasher(auth_settings))


def test_a_hash_is_argon2id_salted_and_never_the_password(passwords):
    first, second = passwords.hash("a long passphrase"), passwords.hash("a long passphrase")
    assert first.startswith("$argon2id$v=19$")
    assert first != second, "each hash has its own random salt"
    assert "a long passphrase" not in first
    assert passwords.verify(first, "a long passphrase")
    assert not passwords.verify(first, "a long passphrasE")


def test_the_same_text_typed_two_ways_in_unicode_verifies(passwords):
    composed, decomposed = "caf\u00e9 au lait, bitte", "cafe\u0301 au lait, bitte"
    assert passwords.verify(passwords.hash(composed), decomposed)


def test_an_oversized_password_is_refused_without_hashing():
    hasher = CountingHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords = Passwords(hasher)
    assert not passwords.verify(passwords.dummy_hash, "x" * 1_000_000)
    assert passwords.verify(passwords.hash("x" * MAX_LENGTH), "x" * MAX_LENGTH)
    assert len(hasher.seen) == 1, "only the bounded password was hashed"


def test_a_malformed_stored_hash_is_a_mismatch_not_a_crash(passwords):
    assert not passwords.verify("not a hash", "a long passphrase")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Tr0ub4dor&3", "at least 12"),
        ("x" * (MAX_LENGTH + 1), "at most"),
        ("passwordpassword", "common"),
        ("PasswordPassword", "common"),
        ("ada.lovelace@example.com", "email"),
    ],
    ids=["short", "oversized", "common", "common capitalised", "the email"],
)
def test_the_policy_refuses_short_long_common_and_obvious_passwords(password, reason):
    with pytest.raises(WeakPassword, match=reason):
        check_policy(password, email="ada.lovelace@example.com", common=load_common_passwords())


def test_the_policy_accepts_a_long_passphrase_without_composition_rules():
    check_policy("correct horse battery staple", email="a@example.com", common=frozenset())


def test_the_common_list_is_read_without_its_comments():
    common = load_common_passwords()
    assert "password" in common and len(common) > 80
    assert not any(entry.startswith("#") for entry in common)


class CountingHasher(PasswordHasher):
    """A real Argon2id hasher that also records every hash it verifies against."""

    def __init__(self, **parameters: int) -> None:
        super().__init__(**parameters)
        self.seen: list[str] = []

    def verify(self, hash: str, password: str | bytes) -> bool:
        self.seen.append(hash)
        return super().verify(hash, password)


@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com"])
def test_a_failed_login_verifies_exactly_one_hash_whether_or_not_the_account_exists(
    auth_engine, email
):
    hasher = CountingHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords = Passwords(hasher)
    with Session(auth_engine) as session:
        add_user(session, "ada@example.com", passwords.hash("a long passphrase"))
        session.commit()
        assert passwords.authenticate(session, email, "a wrong passphrase") is None
    assert len(hasher.seen) == 1
    assert hasher.seen[0].startswith("$argon2id$v=19$m=8,t=1,p=1$"), "same parameters both ways"


def test_login_time_does_not_reveal_whether_the_account_exists(auth_settings, auth_engine):
    """A security property, so measured: the least CPU time of 7 tries on each path, within 3x.

    Without the dummy hash the unknown path skips Argon2id and is 10-100x faster. The clock is
    this process's CPU time (Argon2id's threads included), which other programs' load on the
    machine does not inflate as it does wall time; the least of several tries is the estimate.
    """
    passwords = Passwords(make_hasher(auth_settings.with_changes(argon2_memory_kib=4096)))
    with Session(auth_engine) as session:
        add_user(session, "ada@example.com", passwords.hash("a long passphrase"))
        session.commit()
        fastest = {"ada@example.com": float("inf"), "nobody@example.com": float("inf")}
        for _ in range(7):
            for email in fastest:  # interleaved, so a burst of load hits both paths
                start = time.process_time()
                passwords.authenticate(session, email, "a wrong passphrase")
                fastest[email] = min(fastest[email], time.process_time() - start)
    known, unknown = fastest.values()
    assert 1 / 3 < unknown / known < 3, (
        f"known {known * 1e3:.2f} ms, unknown {unknown * 1e3:.2f} ms"
    )


def test_a_hash_with_old_parameters_is_upgraded_at_the_next_login(auth_settings, auth_engine):
    old = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    current = Passwords(make_hasher(auth_settings.with_changes(argon2_memory_kib=16)))
    with Session(auth_engine) as session:
        add_user(session, "ada@example.com", old.hash("a long passphrase"))
        session.commit()
        assert current.authenticate(session, "ada@example.com", "a long passphrase")
    with Session(auth_engine) as session:
        stored = find_user(session, "ada@example.com").password_hash
    assert "m=16," in stored
    assert not current.hasher.check_needs_rehash(stored)


def test_a_wrong_password_does_not_upgrade_the_hash(auth_settings, auth_engine):
    old = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    current = Passwords(make_hasher(auth_settings.with_changes(argon2_memory_kib=16)))
    with Session(auth_engine) as session:
        before = add_user(session, "ada@example.com", old.hash("a long passphrase")).password_hash
        session.commit()
        assert current.authenticate(session, "ada@example.com", "wrong passphrase!") is None
        assert find_user(session, "ada@example.com").password_hash == before
