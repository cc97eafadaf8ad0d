"""Lockout as a denial of service: the attack on a per-account lock, then device cookies."""

from __future__ import annotations

import hashlib
import itertools
from urllib.parse import parse_qs, urlsplit

import auth_audit
import auth_devices
import pytest
from auth_devices import DeviceCookies
from itsdangerous import URLSafeTimedSerializer

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


ADA_ID = 1


@pytest.mark.parametrize(
    "cookie",
    [None, "", "x" * 400, "not.a.signature", "FORGED", "itsdangerous", "cookie-session", "SHA-1"],
    ids=[
        "none",
        "empty",
        "oversized",
        "garbage",
        "another key",
        "default salt",
        "flask salt",
        "sha1",
    ],
)
def test_a_missing_or_forged_device_cookie_is_untrusted(cookie):
    secret = "the app's secret key, thirty-two bytes or more"
    devices = DeviceCookies(secret)
    payload = {"user": ADA_ID, "generation": 0, "nonce": "n"}
    if cookie == "FORGED":
        cookie = DeviceCookies("an attacker's own key of thirty-two bytes").issue(ADA_ID)
    elif cookie in ("itsdangerous", "cookie-session"):  # the same key, for another use
        sha256 = {"digest_method": hashlib.sha256}  # everything alike but the salt
        cookie = URLSafeTimedSerializer(secret, salt=cookie, signer_kwargs=sha256).dumps(payload)
    elif cookie == "SHA-1":  # the right key and salt, itsdangerous's default HMAC-SHA1
        cookie = URLSafeTimedSerializer(secret, salt="auth-device-cookie").dumps(payload)
    assert devices.device_for(ADA_ID, cookie) is None


def test_a_device_cookie_names_one_user_one_generation_and_expires():
    devices = DeviceCookies("the app's secret key, thirty-two bytes or more")
    cookie = devices.issue(ADA_ID)
    assert devices.device_for(ADA_ID, cookie), "valid for the user it was issued for"
    assert devices.device_for(2, cookie) is None
    assert devices.device_for(None, cookie) is None, "no such account"
    assert devices.device_for(ADA_ID, cookie, generation=1) is None, "from before a reset"
    expired = DeviceCookies(devices.secret_key, max_age_seconds=-1)
    assert expired.device_for(ADA_ID, cookie) is None


def test_a_look_alike_account_mints_no_known_devices_for_the_victim(
    monkeypatch, new_browser, password
):
    # the review's attack on a 48-bit email digest, shrunk to 16 bits so the search is quick
    short = lambda email: hashlib.sha256(email.strip().lower().encode()).hexdigest()[:4]  # noqa: E731
    for module in (auth_audit, auth_devices):
        monkeypatch.setattr(module, "email_digest", short, raising=False)
    look_alike = next(
        address
        for address in (f"m{n}@attacker.example" for n in itertools.count())
        if short(address) == short(ADA)
    )
    new_browser().post_form("/register", email=ADA, password=password)
    attacker = new_browser()
    attacker.register_and_login(look_alike, password)  # his own account: a valid cookie for it
    attacker.post_form("/logout", form_page="/account")
    lock_out(new_browser)
    answer = attacker.post_form("/login", email=ADA, password="a wrong guess, again")
    assert answer.status_code == 429, "his cookie names his account, not Ada's: untrusted here"


def test_a_neighbours_guesses_do_not_lock_the_owners_known_browser(
    session_app, new_browser, password
):
    session_app.extensions["auth"]["throttle"].ip_limit = 3  # the default is 100: quicker
    laptop = with_address(new_browser(), "198.51.100.7")
    laptop.register_and_login(ADA, password)
    laptop.post_form("/logout", form_page="/account")
    neighbour = with_address(new_browser(), "198.51.100.7")  # the same address: NAT, a proxy
    for number in range(4):
        neighbour.post_form("/login", email=f"u{number}@example.org", password="a wrong guess")
    stranger = with_address(new_browser(), "198.51.100.7")
    assert stranger.post_form("/login", email=ADA, password=password).status_code == 429
    assert laptop.post_form("/login", email=ADA, password=password).status_code == 302


@pytest.mark.parametrize("withdraw", ["password change", "log out everywhere"])
def test_the_owner_withdraws_a_stolen_laptops_device_cookie(new_browser, password, withdraw):
    stolen = new_browser()
    stolen.register_and_login(ADA, password)
    stolen.post_form("/logout", form_page="/account")
    phone = new_browser()
    phone.post_form("/login", email=ADA, password=password)
    if withdraw == "password change":
        new = "a brand new long passphrase"
        phone.post_form("/password", current_password=password, password=new)
    else:
        phone.post_form("/logout-everywhere", form_page="/account")
    lock_out(new_browser)
    answer = stolen.post_form("/login", email=ADA, password="a thief's guess")
    assert answer.status_code == 429, "its cookie is from an older generation: untrusted"
    if withdraw == "password change":  # the device that changed it got a new cookie
        assert phone.post_form("/login", email=ADA, password=new).status_code == 302
