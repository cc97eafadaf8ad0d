"""Password reset: single-use, expiring, stored hashed, and silent about unknown emails."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from auth_reset import consume_reset_token, issue_reset_token, token_digest
from auth_store import User, add_user, utc_now
from sqlalchemy import text
from sqlalchemy.orm import Session

NEW_PASSWORD = "a brand new long passphrase"


def reset_link_token(session_app) -> str:
    """The token from the last reset email in the app's outbox."""
    _, subject, link = session_app.extensions["auth"]["outbox"][-1]
    assert subject == "Reset your password"
    return parse_qs(urlsplit(link).query)["token"][0]


@pytest.fixture
def ada(new_browser, password):
    browser = new_browser()
    browser.post_form("/register", email="ada@example.com", password=password)
    return browser


def test_a_reset_link_changes_the_password_once(session_app, ada, new_browser, password):
    ada.post_form("/reset", email="ada@example.com")
    token = reset_link_token(session_app)
    page = f"/reset/confirm?token={token}"
    assert ada.post_form(page, token=token, password=NEW_PASSWORD).status_code == 302
    again = ada.post_form(page, token=token, password="yet another passphrase")
    assert again.status_code == 400, "a used link must not work twice"
    browser = new_browser()
    assert (
        browser.post_form("/login", email="ada@example.com", password=password).status_code == 401
    )
    login = browser.post_form("/login", email="ada@example.com", password=NEW_PASSWORD)
    assert login.status_code == 302


def test_a_reset_request_answers_the_same_for_an_unknown_email(session_app, ada):
    known = ada.post_form("/reset", email="ada@example.com")
    unknown = ada.post_form("/reset", email="nobody@example.com")
    assert (known.status_code, known.location) == (unknown.status_code, unknown.location)
    recipients = [to for to, _, _ in session_app.extensions["auth"]["outbox"]]
    assert "nobody@example.com" not in recipients


def test_the_database_holds_only_a_digest_of_the_token(session_app, ada, auth_engine):
    ada.post_form("/reset", email="ada@example.com")
    token = reset_link_token(session_app)
    with auth_engine.connect() as connection:
        stored = connection.execute(text("SELECT token_digest FROM auth_reset_tokens")).scalar()
    assert stored == token_digest(token) and token not in stored


def test_an_expired_token_is_refused(auth_engine):
    with Session(auth_engine) as session:
        user = add_user(session, "ada@example.com", "hash")
        token = issue_reset_token(session, user, seconds=60)
        later = utc_now() + timedelta(seconds=61)
        assert consume_reset_token(session, token, now=later) is None
        assert consume_reset_token(session, token) == user.id, "still valid before expiry"


def test_concurrent_uses_of_one_link_succeed_once(auth_engine, race):
    with Session(auth_engine) as session:
        user_id = add_user(session, "ada@example.com", "hash").id
        session.commit()
    for _ in range(3):
        with Session(auth_engine) as session:
            token = issue_reset_token(session, session.get(User, user_id), seconds=60)

        def use(_: int, token: str = token) -> int | None:
            with Session(auth_engine) as session:  # one connection each, like two browsers
                return consume_reset_token(session, token)

        assert [found for found in race(use, threads=4) if found is not None] == [user_id]


def test_a_new_link_replaces_the_older_one(auth_engine):
    with Session(auth_engine) as session:
        user = add_user(session, "ada@example.com", "hash")
        first = issue_reset_token(session, user, seconds=60)
        second = issue_reset_token(session, user, seconds=60)
        assert consume_reset_token(session, first) is None
        assert consume_reset_token(session, second) == user.id


def test_a_weak_new_password_does_not_use_up_the_link(session_app, ada):
    ada.post_form("/reset", email="ada@example.com")
    token = reset_link_token(session_app)
    page = f"/reset/confirm?token={token}"
    assert ada.post_form(page, token=token, password="short").status_code == 400
    assert ada.post_form(page, token=token, password=NEW_PASSWORD).status_code == 302


def test_a_reset_refuses_the_accounts_email_as_the_new_password(session_app, ada):
    ada.post_form("/register", email="ada.lovelace@example.com", password=NEW_PASSWORD)
    ada.post_form("/reset", email="ada.lovelace@example.com")
    token = reset_link_token(session_app)
    page = f"/reset/confirm?token={token}"
    refused = ada.post_form(page, token=token, password="ada.lovelace@example.com")
    assert refused.status_code == 400, "the same policy as register and password change"
    assert ada.post_form(page, token=token, password=NEW_PASSWORD).status_code == 302


def test_a_reset_ends_every_session_of_the_account(session_app, ada, new_browser, password):
    thief = new_browser()  # another device, logged in with the stolen old password
    thief.post_form("/login", email="ada@example.com", password=password)
    assert thief.get("/account").status_code == 200
    ada.post_form("/reset", email="ada@example.com")  # ada, logged out, forgot her password
    token = reset_link_token(session_app)
    ada.post_form(f"/reset/confirm?token={token}", token=token, password=NEW_PASSWORD)
    assert thief.get("/account").status_code == 302


def test_a_reset_revokes_the_refresh_tokens_of_the_token_api(
    session_app, ada, token_client, password
):
    form = {"grant_type": "password", "username": "ada@example.com", "password": password}
    stolen = token_client.post("/token", data=form).json()["refresh_token"]
    ada.post_form("/reset", email="ada@example.com")
    token = reset_link_token(session_app)
    ada.post_form(f"/reset/confirm?token={token}", token=token, password=NEW_PASSWORD)
    again = token_client.post(
        "/token", data={"grant_type": "refresh_token", "refresh_token": stolen}
    )
    assert (again.status_code, again.json()["detail"]) == (400, {"error": "invalid_grant"})


def test_the_reset_page_sends_no_referrer(session_app, ada):
    ada.post_form("/reset", email="ada@example.com")
    token = reset_link_token(session_app)
    assert ada.get(f"/reset/confirm?token={token}").headers["Referrer-Policy"] == "no-referrer"


def test_a_password_change_voids_a_reset_link_sent_before(session_app, ada, password):
    ada.post_form("/reset", email="ada@example.com")  # e.g. requested by an attacker
    token = reset_link_token(session_app)
    ada.post_form("/login", email="ada@example.com", password=password)
    ada.post_form("/password", current_password=password, password=NEW_PASSWORD)
    page = f"/reset/confirm?token={token}"
    assert ada.post_form(page, token=token, password="yet another passphrase").status_code == 400
