"""MFA (TOTP with a drift window, codes used once, recovery codes) and data at rest."""

from __future__ import annotations

import time

import pyotp
import pytest
from auth_crypto import (
    InvalidToken,
    MissingKey,
    decrypt,
    encrypt,
    load_data_keys,
    rotate_totp_secrets,
)
from auth_mfa import (
    check_second_factor,
    enrol,
    new_recovery_codes,
    use_recovery_code,
    verify_totp,
)
from auth_passwords import Passwords, make_hasher
from auth_store import RecoveryCode, User, add_user
from auth_throttle import Throttle
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

NOW = 1_800_000_000.0  # a fixed moment, so the tests never straddle a 30-second step


@pytest.fixture
def keys() -> MultiFernet:
    return MultiFernet([Fernet(Fernet.generate_key())])


@pytest.fixture
def enrolled(auth_engine, keys):
    with Session(auth_engine, expire_on_commit=False) as session:
        user = add_user(session, "ada@example.com", "hash")
        uri = enrol(user, keys)
        session.commit()
    return user, pyotp.parse_uri(uri)


def test_enrolment_gives_a_provisioning_uri_and_stores_the_secret_encrypted(enrolled, keys):
    user, totp = enrolled
    assert totp.issuer == "Python backend course" and totp.name == "ada@example.com"
    assert totp.secret not in user.totp_secret
    assert decrypt(keys, user.totp_secret) == totp.secret


@pytest.mark.parametrize("offset", [-30, 0, 30])
def test_a_code_one_step_early_or_late_is_accepted(auth_redis, keys, enrolled, offset):
    user, totp = enrolled
    assert verify_totp(auth_redis, "auth:", keys, user, totp.at(NOW + offset), now=NOW)


@pytest.mark.parametrize("offset", [-90, 90])
def test_a_code_two_steps_away_is_refused(auth_redis, keys, enrolled, offset):
    user, totp = enrolled
    assert not verify_totp(auth_redis, "auth:", keys, user, totp.at(NOW + offset), now=NOW)


def test_a_used_code_is_refused_a_second_time(auth_redis, keys, enrolled):
    user, totp = enrolled
    code = totp.at(NOW)
    assert verify_totp(auth_redis, "auth:", keys, user, code, now=NOW)
    assert not verify_totp(auth_redis, "auth:", keys, user, code, now=NOW + 10)


def test_a_code_used_at_the_end_of_its_step_is_refused_in_the_next_one(auth_redis, keys, enrolled):
    user, totp = enrolled
    end_of_step = NOW + 29  # NOW is at the start of a step
    code = totp.at(end_of_step)
    assert verify_totp(auth_redis, "auth:", keys, user, code, now=end_of_step)
    assert not verify_totp(auth_redis, "auth:", keys, user, code, now=end_of_step + 2)


def test_concurrent_uses_of_one_code_succeed_once(auth_redis, keys, enrolled, race):
    user, totp = enrolled
    for trial in range(5):
        now = NOW + 90 * trial
        code = totp.at(now)
        results = race(
            lambda _, code=code, now=now: verify_totp(
                auth_redis, "auth:", keys, user, code, now=now
            )
        )
        assert results.count(True) == 1, results


def test_after_five_wrong_codes_even_the_right_one_is_refused(auth_redis, keys, enrolled):
    user, totp = enrolled
    throttle = Throttle(auth_redis, "auth:totp:")
    right = totp.at(NOW)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert not check_second_factor(throttle, keys, user, wrong, ip="10.0.0.1", now=NOW)
    assert not check_second_factor(throttle, keys, user, right, ip="10.0.0.1", now=NOW)


def test_the_right_code_passes_the_throttle(auth_redis, keys, enrolled):
    user, totp = enrolled
    throttle = Throttle(auth_redis, "auth:totp:")
    assert check_second_factor(throttle, keys, user, totp.at(NOW), ip="10.0.0.1", now=NOW)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "000000"])
def test_malformed_and_wrong_codes_are_refused(auth_redis, keys, enrolled, code):
    user, totp = enrolled
    if code == "000000" and totp.at(NOW) == "000000":
        code = "000001"
    assert not verify_totp(auth_redis, "auth:", keys, user, code, now=NOW)


def test_recovery_codes_are_stored_hashed_and_work_once(auth_settings, auth_engine):
    passwords = Passwords(make_hasher(auth_settings))
    with Session(auth_engine) as session:
        user = add_user(session, "ada@example.com", "hash")
        codes = new_recovery_codes(session, passwords, user)
        stored = session.scalars(select(RecoveryCode.code_hash)).all()
        assert len(codes) == len(set(codes)) == 8
        assert all(code not in " ".join(stored) for code in codes)
        assert use_recovery_code(session, passwords, user, codes[0])
        assert not use_recovery_code(session, passwords, user, codes[0]), "used once only"
        assert use_recovery_code(session, passwords, user, codes[1].upper())


def test_a_changed_ciphertext_is_refused_not_decrypted(keys):
    ciphertext = encrypt(keys, "JBSWY3DPEHPK3PXP")
    flipped = ciphertext[:20] + ("A" if ciphertext[20] != "A" else "B") + ciphertext[21:]
    with pytest.raises(InvalidToken):
        decrypt(keys, flipped)


def test_key_rotation_re_encrypts_old_rows_so_the_old_key_can_go(auth_engine):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old_keys = load_data_keys({"AUTH_DATA_KEYS": old})
    with Session(auth_engine) as session:
        user = add_user(session, "ada@example.com", "hash")
        user.totp_secret = encrypt(old_keys, "JBSWY3DPEHPK3PXP")
        session.commit()
        both = load_data_keys({"AUTH_DATA_KEYS": f"{new},{old}"})
        assert rotate_totp_secrets(session, both) == 1
        only_new = load_data_keys({"AUTH_DATA_KEYS": new})
        assert decrypt(only_new, session.get(User, user.id).totp_secret) == "JBSWY3DPEHPK3PXP"


def test_no_key_configured_is_one_clear_error():
    with pytest.raises(MissingKey, match="AUTH_DATA_KEYS is not set"):
        load_data_keys({})


def test_concurrent_uses_of_one_recovery_code_succeed_once(
    auth_settings, auth_engine, race, monkeypatch
):
    passwords = Passwords(make_hasher(auth_settings))
    with Session(auth_engine, expire_on_commit=False) as session:
        user = add_user(session, "ada@example.com", "hash")
        codes = new_recovery_codes(session, passwords, user, count=3)
    real_verify = passwords.verify

    def slow_verify(stored: str, given: str) -> bool:
        time.sleep(0.02)  # a real Argon2id check takes this long: the window of the race
        return real_verify(stored, given)

    monkeypatch.setattr(passwords, "verify", slow_verify)

    def use(_: int) -> bool:
        with Session(auth_engine) as session:  # one connection each, like two logins
            return use_recovery_code(session, passwords, user, codes[0])

    assert race(use, threads=4).count(True) == 1


def test_the_owners_device_passes_its_second_factor_under_the_attackers_lock(
    auth_redis, keys, enrolled
):
    user, totp = enrolled
    throttle = Throttle(auth_redis, "auth:totp:")
    for number in range(5):  # the attacker locks the account, from five addresses
        throttle.begin(user.email, f"203.0.113.{number}")
    assert throttle.begin(user.email, "198.51.100.7") > 0, "untrusted clients are locked"
    code = totp.at(NOW)
    # her laptop's device cookie (its nonce) gets its own counter, as in the password check
    assert check_second_factor(
        throttle, keys, user, code, ip="198.51.100.7", device="laptop-nonce", now=NOW
    )
