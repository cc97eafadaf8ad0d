"""Lockout as a denial of service: the attack on a per-account lock, then device cookies."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from auth_devices import DeviceCookies

ADA = "ada@example.com"


def with_address(browser, ip: str):
    """Make the browser's requests come from `ip`."""
    browser.client.environ_base["REMOTE_ADDR"] = ip
    return browser


def lock_out(new_browser, email: str = ADA, guesses: int = 5) -> None:
    """The attacker: a few wrong guesses, each from a new address, so no per-IP limit helps."""
    for number in range(guesses):
        attacker = with_address(new_browser(), f"203.0.113.{number}")
        attacker.post_form("/login", email=email, password="a wrong guess, again")


def test_the_attack_a_per_account_lock_refuses_the_victims_right_password(new_browser, password):
    new_browser().post_form("/register", email=ADA, password=password)
    lock_out(new_browser)
    victim = with_address(new_browser(), "198.51.100.7")  # her own address, a new browser
    answer = victim.post_form("/login", email=ADA, password=password)
    assert answer.status_code == 429, "locked out by someone else's guesses"


def test_the_victims_known_browser_logs_in_through_the_attackers_lock(new_browser, password):
    laptop = with_address(new_browser(), "198.51.100.7")
    laptop.register_and_login(ADA, password)  # the login leaves a device cookie
    laptop.post_form("/logout", form_page="/account")
    lock_out(new_browser)
    assert laptop.post_form("/login", email=ADA, password=password).status_code == 302
    assert laptop.get("/account").status_code == 200
    stranger = new_browser().post_form("/login", email=ADA, password=password)
    assert stranger.status_code == 429, "untrusted clients stay locked: the guessing stays slow"


def test_guesses_from_a_known_browser_lock_that_browser_only(new_browser, password):
    stolen = new_browser()
    stolen.register_and_login(ADA, password)
    stolen.post_form("/logout", form_page="/account")
    for _ in range(5):  # a thief with the laptop (and its cookie) guesses
        stolen.post_form("/login", email=ADA, password="a wrong guess, again")
    assert stolen.post_form("/login", email=ADA, password=password).status_code == 429
    assert new_browser().post_form("/login", email=ADA, password=password).status_code == 302


def test_another_accounts_device_cookie_is_worth_nothing_here(new_browser, password):
    new_browser().post_form("/register", email=ADA, password=password)
    attacker = new_browser()
    attacker.register_and_login("mallory@example.com", password)  # a valid cookie, for mallory
    attacker.post_form("/logout", form_page="/account")
    lock_out(new_browser)
    answer = attacker.post_form("/login", email=ADA, password="a wrong guess, again")
    assert answer.status_code == 429, "counted as untrusted: the account's lock applies"


def test_a_reset_link_lets_the_owner_through_the_lock(session_app, new_browser, password):
    new_browser().post_form("/register", email=ADA, password=password)
    lock_out(new_browser)
    phone = new_browser()  # a new device: locked, until she proves she reads her mail
    assert phone.post_form("/login", email=ADA, password=password).status_code == 429
    phone.post_form("/reset", email=ADA)
    token = parse_qs(urlsplit(session_app.extensions["auth"]["outbox"][-1][2]).query)["token"][0]
    new, page = "a brand new long passphrase", f"/reset/confirm?token={token}"
    assert phone.post_form(page, token=token, password=new).status_code == 302
    assert phone.post_form("/login", email=ADA, password=new).status_code == 302


@pytest.mark.parametrize(
    "cookie",
    [None, "", "x" * 400, "not.a.signature", "FORGED"],
    ids=["none", "empty", "oversized", "garbage", "signed with another key"],
)
def test_a_missing_or_forged_device_cookie_is_untrusted(cookie):
    devices = DeviceCookies("the app's secret key, thirty-two bytes or more")
    if cookie == "FORGED":
        cookie = DeviceCookies("an attacker's own key of thirty-two bytes").issue(ADA)
    assert devices.device_for(ADA, cookie) is None


def test_a_device_cookie_names_one_account_and_expires():
    devices = DeviceCookies("the app's secret key, thirty-two bytes or more")
    cookie = devices.issue(ADA)
    assert devices.device_for(ADA, cookie), "valid for the account it was issued for"
    assert devices.device_for("ADA@example.com ", cookie), "the same address, typed differently"
    assert devices.device_for("bob@example.com", cookie) is None
    expired = DeviceCookies(devices.secret_key, max_age_seconds=-1)
    assert expired.device_for(ADA, cookie) is None
