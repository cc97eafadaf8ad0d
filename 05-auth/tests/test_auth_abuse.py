"""Brute force and the audit log: throttling per account and per IP, and no secret logged."""

from __future__ import annotations

import json
import logging
import time

import pytest
from auth_audit import audit, email_digest
from auth_throttle import Throttle


@pytest.fixture
def throttle(auth_redis) -> Throttle:
    return Throttle(auth_redis, "auth:", limit=3, base_seconds=2, max_seconds=8, ip_limit=10)


def test_an_account_is_locked_after_the_limit_with_a_doubling_capped_delay(throttle):
    locks = [throttle.record_failure("ada@example.com", "10.0.0.1") for _ in range(7)]
    assert locks == [0, 0, 2, 4, 8, 8, 8], "doubling, then capped: never locked for good"
    assert throttle.retry_after("ada@example.com", "10.0.0.2") > 0, "locked from any address"
    assert throttle.retry_after("bob@example.com", "10.0.0.3") == 0, "other accounts are free"


def test_a_lock_ends_by_itself(auth_redis):
    throttle = Throttle(auth_redis, "auth:", limit=1, base_seconds=1)
    assert throttle.record_failure("ada@example.com", "10.0.0.1") == 1
    lock_key = f"auth:locked:{email_digest('ada@example.com')}"
    assert auth_redis.ttl(lock_key) == 1, "a lock is a key with a TTL: Redis ends it"
    auth_redis.pexpire(lock_key, 1)  # instead of waiting the second
    deadline = time.monotonic() + 2
    while auth_redis.exists(lock_key) and time.monotonic() < deadline:
        time.sleep(0.002)
    assert throttle.retry_after("ada@example.com", "10.0.0.1") == 0


def test_one_address_trying_many_accounts_is_throttled(throttle):
    for number in range(10):
        throttle.record_failure(f"user{number}@example.com", "10.6.6.6")
    assert throttle.retry_after("someone.new@example.com", "10.6.6.6") > 0
    assert throttle.retry_after("someone.new@example.com", "10.0.0.1") == 0


def test_the_login_page_answers_429_with_retry_after_once_locked(new_browser):
    browser = new_browser()
    for _ in range(5):
        browser.post_form("/login", email="ada@example.com", password="wrong wrong wrong")
    response = browser.post_form("/login", email="ada@example.com", password="wrong wrong wrong")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1


def test_a_success_clears_the_account_failures(throttle):
    throttle.record_failure("ada@example.com", "10.0.0.1")
    throttle.record_failure("ada@example.com", "10.0.0.1")
    throttle.record_success("ada@example.com")
    assert throttle.record_failure("ada@example.com", "10.0.0.1") == 0


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
