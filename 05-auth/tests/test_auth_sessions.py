"""Sessions in Flask: each defence attacked, as a browser (Flask's test client) would."""

from __future__ import annotations

import pytest
from auth_session_ids import session_is_current
from auth_sessions import create_session_app
from flask import Flask, session


def test_login_with_the_right_password_opens_the_account(new_browser):
    browser = new_browser()
    assert browser.register_and_login("ada@example.com").status_code == 302
    assert "Logged in as ada@example.com" in browser.get("/account").get_data(as_text=True)


def test_the_account_page_needs_a_login(new_browser):
    response = new_browser().get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_session_cookie_is_httponly_secure_samesite_and_host_only(new_browser):
    login = new_browser().register_and_login("ada@example.com")
    cookies = {c.partition("=")[0]: c for c in login.headers.getlist("Set-Cookie")}
    for name, same_site in (
        ("__Host-session", "SameSite=Lax"),
        ("__Host-device", "SameSite=Strict"),
    ):
        for attribute in ("HttpOnly", "Secure", same_site, "Path=/"):
            assert attribute in cookies[name], (name, attribute)
        assert "Domain=" not in cookies[name]


def test_a_session_id_planted_before_login_is_worthless_after_it(new_browser):
    attacker, victim = new_browser(), new_browser()
    attacker.csrf_token("/login")  # the attacker gets a real, anonymous session id...
    planted = attacker.session_cookie
    victim.session_cookie = planted  # ...plants it in the victim's browser...
    victim.register_and_login("victim@example.com")  # ...and the victim logs in with it
    assert victim.session_cookie != planted
    assert attacker.get("/account").status_code == 302, "the planted id must not be logged in"


def test_logout_deletes_the_session_so_a_copied_cookie_no_longer_works(new_browser):
    browser, thief = new_browser(), new_browser()
    browser.register_and_login("ada@example.com")
    thief.session_cookie = browser.session_cookie
    assert thief.get("/account").status_code == 200  # a stolen cookie works while logged in
    key = browser.app.config["SESSION_KEY_PREFIX"] + browser.session_cookie
    browser.post_form("/logout", form_page="/account")
    assert thief.get("/account").status_code == 302
    assert not browser.app.extensions["auth"]["redis"].exists(key), "deleted, not just emptied"


def test_cookie_sessions_the_wrong_way_survive_logout_when_replayed():
    """THE WRONG WAY: Flask's default session lives in the cookie, so logout cannot end it."""
    app = Flask(__name__)
    app.secret_key = "a secret key of at least thirty-two bytes"
    app.add_url_rule("/login", "login", lambda: session.update(user="ada") or "in")
    app.add_url_rule("/me", "me", lambda: session.get("user", "nobody"))
    app.add_url_rule("/logout", "logout", lambda: session.clear() or "out")
    client, thief = app.test_client(), app.test_client()
    client.get("/login")
    stolen = client.get_cookie("session").value
    client.get("/logout")
    thief.set_cookie("session", stolen)
    assert thief.get("/me").get_data(as_text=True) == "ada"  # still logged in: the flaw


def test_logout_everywhere_ends_the_sessions_on_other_devices(new_browser, password):
    laptop, phone = new_browser(), new_browser()
    laptop.register_and_login("ada@example.com")
    phone.post_form("/login", email="ada@example.com", password=password)
    assert phone.get("/account").status_code == 200
    laptop.post_form("/logout-everywhere", form_page="/account")
    assert phone.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 302


def test_a_session_saved_back_by_a_late_request_stays_logged_out(
    new_browser, session_app, auth_redis, password
):
    laptop, phone = new_browser(), new_browser()
    laptop.register_and_login("ada@example.com")
    phone.post_form("/login", email="ada@example.com", password=password)
    key = session_app.config["SESSION_KEY_PREFIX"] + phone.session_cookie
    saved = auth_redis.get(key)  # what a request in flight on the phone holds in memory
    laptop.post_form("/logout-everywhere", form_page="/account")
    auth_redis.set(key, saved, ex=60)  # ...and writes back as it ends, after the delete
    assert phone.get("/account").status_code == 302
    # the phone keeps touching it: its lifetime slides, so the cut-off must never lapse first
    cutoff = f"{session_app.extensions['auth']['settings'].redis_prefix}sessions-cutoff:1"
    assert auth_redis.ttl(cutoff) == -1, "a cut-off with a TTL is outlived by a busy session"
    assert b"_user_id" not in (auth_redis.get(key) or b""), "the resurrected session is emptied"


def test_a_password_change_revokes_the_refresh_tokens(new_browser, token_client, password):
    browser = new_browser()
    browser.register_and_login("ada@example.com")
    form = {"grant_type": "password", "username": "ada@example.com", "password": password}
    stolen = token_client.post("/token", data=form).json()["refresh_token"]
    browser.post_form("/password", current_password=password, password="another long passphrase")
    again = token_client.post(
        "/token", data={"grant_type": "refresh_token", "refresh_token": stolen}
    )
    assert again.status_code == 400, "a thief's refresh token dies with the old password"


def test_a_password_change_ends_every_other_session(new_browser, password):
    laptop, phone = new_browser(), new_browser()
    laptop.register_and_login("ada@example.com")
    phone.post_form("/login", email="ada@example.com", password=password)
    changed = laptop.post_form(
        "/password", current_password=password, password="another long passphrase"
    )
    assert changed.status_code == 302
    assert phone.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 200


@pytest.mark.parametrize("token", [None, "forged-token", "FROM-ANOTHER-SESSION"])
def test_a_post_without_its_own_csrf_token_is_refused_and_changes_nothing(new_browser, token):
    victim = new_browser()
    victim.register_and_login("ada@example.com")
    if token == "FROM-ANOTHER-SESSION":
        token = new_browser().csrf_token("/login")
    response = victim.post("/logout-everywhere", data={"csrf_token": token} if token else {})
    assert response.status_code == 400
    assert victim.get("/account").status_code == 200, "the forged POST must not log out"


@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com"])
def test_a_failed_login_says_the_same_whether_or_not_the_account_exists(
    new_browser, password, email
):
    browser = new_browser()
    browser.post_form("/register", email="ada@example.com", password=password)
    response = browser.post_form("/login", email=email, password="wrong password, long")
    assert response.status_code == 401
    assert "Email or password is incorrect." in response.get_data(as_text=True)


def test_registering_a_taken_email_costs_the_same_slow_hash_as_a_new_one(
    new_browser, session_app, password, monkeypatch
):
    passwords, hashed = session_app.extensions["auth"]["passwords"], []
    real_hash = passwords.hash
    monkeypatch.setattr(passwords, "hash", lambda given: hashed.append(given) or real_hash(given))
    browser = new_browser()
    browser.post_form("/register", email="ada@example.com", password=password)
    browser.post_form("/register", email="ada@example.com", password=password)
    assert len(hashed) == 2, "one Argon2id hash for the new address and one for the taken"


def test_registering_a_taken_email_looks_the_same_and_tells_the_owner(
    new_browser, session_app, password
):
    browser = new_browser()
    first = browser.post_form("/register", email="ada@example.com", password=password)
    again = browser.post_form("/register", email="ada@example.com", password="other passphrase")
    assert (first.status_code, first.location) == (again.status_code, again.location)
    outbox = session_app.extensions["auth"]["outbox"]
    assert [subject for _, subject, _ in outbox] == ["Welcome", "Sign-up attempt"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short", "at least 12"), ("passwordpassword", "common"), ("x" * 129, "")],
    ids=["short", "common", "oversized"],
)
def test_registration_refuses_weak_and_oversized_passwords(new_browser, password, reason):
    browser = new_browser()
    response = browser.post_form("/register", email="ada@example.com", password=password)
    assert response.status_code in (200, 400)
    assert reason in response.get_data(as_text=True)
    login = browser.post_form("/login", email="ada@example.com", password=password)
    assert login.status_code in (400, 401)


def test_a_session_kept_alive_by_use_still_ends_at_its_absolute_lifetime(
    auth_settings, auth_engine, auth_redis, browser_on, password
):
    now = [1_000.0]  # an injected clock: hours pass in microseconds
    settings = auth_settings.with_changes(session_absolute_seconds=3_600)
    app = create_session_app(
        settings, engine=auth_engine, redis_client=auth_redis, clock=lambda: now[0]
    )
    browser = browser_on(app)
    browser.register_and_login("ada@example.com", password)
    for minutes in range(0, 60, 5):  # busy all hour: the idle timeout never fires
        now[0] = 1_000.0 + minutes * 60
        assert browser.get("/account").status_code == 200, f"minute {minutes}"
    now[0] = 1_000.0 + 3_600
    assert browser.get("/account").status_code == 302, "an hour after the login: log in again"
    key = app.config["SESSION_KEY_PREFIX"] + browser.session_cookie
    assert b"_user_id" not in (auth_redis.get(key) or b""), "and the session is emptied"
    again = browser.post_form("/login", email="ada@example.com", password=password)
    assert again.status_code == 302
    assert browser.get("/account").status_code == 200, "a new login starts a new lifetime"


def test_a_session_without_a_login_time_counts_as_expired(session_app):
    # a session saved before login times existed, or by a bug, carries none: not fresh
    with session_app.test_request_context():
        session["_user_id"] = "1"
        assert not session_is_current(session_app, 1)
