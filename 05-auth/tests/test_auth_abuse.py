"""Brute force and the audit log: throttling per account and per IP, and no secret logged."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from auth_audit import audit
from auth_passwords import Passwords, make_hasher
from auth_store import add_user
from auth_throttle import Throttle
from sqlalchemy.orm import Session


@pytest.fixture
def throttle(auth_redis) -> Throttle:
    return Throttle(auth_redis, "auth:", limit=3, base_seconds=2, max_seconds=8, ip_limit=10)


LOCK_KEY = f"auth:locked:{hashlib.sha256(b'ada@example.com').hexdigest()}"  # the full digest


def test_an_account_is_locked_after_the_limit_with_a_doubling_capped_delay(throttle, auth_redis):
    locks = []
    for _ in range(7):
        auth_redis.delete(LOCK_KEY)  # as if the last lock had run out
        assert throttle.begin("ada@example.com", "10.0.0.1") == 0, "no lock: the attempt may go"
        locks.append(max(0, auth_redis.ttl(LOCK_KEY)))
    assert locks == [0, 0, 2, 4, 8, 8, 8], "doubling, then capped: each lock ends"
    assert throttle.begin("ada@example.com", "10.0.0.2") > 0, "locked from any address"
    assert throttle.begin("bob@example.com", "10.0.0.3") == 0, "other accounts are free"


def test_a_lock_ends_by_itself(auth_redis):
    throttle = Throttle(auth_redis, "auth:", limit=1, base_seconds=1)
    assert throttle.begin("ada@example.com", "10.0.0.1") == 0
    assert auth_redis.ttl(LOCK_KEY) == 1, "a lock is a key with a TTL: Redis ends it"
    assert throttle.begin("ada@example.com", "10.0.0.1") == 1
    auth_redis.pexpire(LOCK_KEY, 1)  # instead of waiting the second
    deadline = time.monotonic() + 2
    while auth_redis.exists(LOCK_KEY) and time.monotonic() < deadline:
        time.sleep(0.002)
    assert throttle.begin("ada@example.com", "10.0.0.1") == 0


def test_one_address_trying_many_accounts_is_throttled(throttle):
    for number in range(10):
        throttle.begin(f"user{number}@example.com", "10.6.6.6")
    assert throttle.begin("someone.new@example.com", "10.6.6.6") > 0
    assert throttle.begin("someone.new@example.com", "10.0.0.1") == 0


def test_the_login_page_answers_429_with_retry_after_once_locked(new_browser):
    browser = new_browser()
    for _ in range(5):
        browser.post_form("/login", email="ada@example.com", password="wrong wrong wrong")
    response = browser.post_form("/login", email="ada@example.com", password="wrong wrong wrong")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1


def test_concurrent_wrong_logins_get_at_most_the_limit_of_password_checks(
    new_browser, session_app, password, monkeypatch
):
    new_browser().register_and_login("ada@example.com", password)
    passwords, checked = session_app.extensions["auth"]["passwords"], []
    real_verify = passwords.verify

    def slow_verify(stored: str, given: str) -> bool:
        checked.append(given)
        time.sleep(0.05)  # a real Argon2id check takes this long: the window of the race
        return real_verify(stored, given)

    monkeypatch.setattr(passwords, "verify", slow_verify)
    # the 5th failure locks the account for 1 s; a loaded machine may spread the 15 requests
    # over more than that, and a 6th check after the lock ends is the throttle working: a
    # lock of a minute outlasts the burst anywhere, so only a counting race gets past 5
    monkeypatch.setattr(session_app.extensions["auth"]["throttle"], "base_seconds", 60)
    browsers = [new_browser() for _ in range(15)]
    tokens = [browser.csrf_token("/login") for browser in browsers]
    barrier = threading.Barrier(len(browsers))

    def guess(number: int) -> int:
        barrier.wait(timeout=10)
        data = {"csrf_token": tokens[number], "email": "ada@example.com", "password": "wrong!"}
        return browsers[number].post("/login", data).status_code

    with ThreadPoolExecutor(len(browsers)) as pool:
        statuses = list(pool.map(guess, range(len(browsers))))
    assert len(checked) <= 5, f"{len(checked)} guesses checked at once; the limit is 5"
    assert statuses.count(429) >= len(browsers) - 5


def test_the_token_endpoint_shares_the_logins_throttle(
    token_client, auth_settings, auth_engine, password
):
    with Session(auth_engine) as db:
        add_user(db, "ada@example.com", Passwords(make_hasher(auth_settings)).hash(password))
        db.commit()
    form = {"grant_type": "password", "username": "ada@example.com"}
    for _ in range(5):
        token_client.post("/token", data={**form, "password": "a wrong guess"})
    right = token_client.post("/token", data={**form, "password": password})
    assert right.status_code == 429, "the right password too: the account is locked"
    assert int(right.headers["Retry-After"]) >= 1


def test_a_success_clears_the_account_attempts(throttle, auth_redis):
    throttle.begin("ada@example.com", "10.0.0.1")
    throttle.begin("ada@example.com", "10.0.0.1")
    throttle.record_success("ada@example.com", "10.0.0.1")
    throttle.begin("ada@example.com", "10.0.0.1")
    assert not auth_redis.exists(LOCK_KEY), "the count started again from zero"


def test_the_audit_log_refuses_fields_that_could_carry_secrets():
    with pytest.raises(ValueError, match="not allowed"):
        audit("login_failure", password="hunter2")
    with pytest.raises(ValueError, match="unknown audit event"):
        audit("something_else")


def test_the_audit_log_never_contains_a_password_token_or_email(
    new_browser, session_app, token_client, password, caplog
):
    caplog.set_level(logging.INFO, logger="auth.audit")
    browser = new_browser()
    browser.register_and_login("ada@example.com", password)
    browser.post_form("/login", email="ada@example.com", password="a wrong passphrase!")
    browser.post_form("/reset", email="ada@example.com")
    _, _, link = session_app.extensions["auth"]["outbox"][-1]
    issued = token_client.post(
        "/token", data={"grant_type": "password", "username": "ada@example.com",
                        "password": password, "scope": "orders:read"},
    ).json()  # fmt: skip
    token_client.post("/token", data={"grant_type": "refresh_token",
                                      "refresh_token": issued["refresh_token"]})  # fmt: skip
    records = [record.getMessage() for record in caplog.records if record.name == "auth.audit"]
    events = {json.loads(line)["event"] for line in records}
    assert {"login_success", "login_failure", "reset_requested", "token_issued"} <= events
    secrets = [password, "a wrong passphrase!", link.split("token=")[1], "ada@example.com",
               issued["access_token"], issued["refresh_token"]]  # fmt: skip
    for line in records:
        for secret in secrets:
            assert secret not in line


def test_malformed_input_is_refused_and_logged(new_browser, token_client, caplog):
    caplog.set_level(logging.INFO, logger="auth.audit")
    browser = new_browser()
    login = browser.post_form("/login", email="not an address", password="")
    grant = token_client.post("/token", data={"grant_type": "password", "username": "ada",
                                              "password": "x" * 1_000})  # fmt: skip
    header = token_client.get("/me", headers={"Authorization": "Basic YWRhOnB3"})
    forged = browser.post("/register", {"email": "ada@example.com", "password": "x" * 20})
    assert (login.status_code, grant.status_code, header.status_code) == (400, 422, 401)
    assert forged.status_code == 400, "no CSRF token"
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "auth.audit"]
    assert {"event": "bad_request", "path": "/login", "ip": "127.0.0.1"} in events
    assert {"event": "bad_request", "path": "/token", "ip": "testclient"} in events  # its host
    assert {
        "event": "bad_request",
        "path": "/register",
        "ip": "127.0.0.1",
        "reason": "csrf",
    } in events
    assert {"event": "token_refused", "reason": "no bearer token"} in events
