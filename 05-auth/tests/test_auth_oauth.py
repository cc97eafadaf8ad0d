"""OAuth 2.0 code flow with PKCE, over real HTTP to the lesson's provider: each attack refused."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from auth_oauth import LoginStart, finish_login, serve_locally, start_login
from auth_oauth_provider import PublicClient, create_provider_app
from auth_passwords import Passwords, make_hasher
from authlib.oauth2.rfc6749.errors import MismatchingStateException

REDIRECT = "https://client.example/callback"
PASSWORD = "a long passphrase nobody guesses"


@pytest.fixture
def provider(auth_settings):
    passwords = Passwords(make_hasher(auth_settings))
    client = PublicClient("course-client", [REDIRECT])
    app = create_provider_app(passwords, {"ada": passwords.hash(PASSWORD)}, client)
    with serve_locally(app) as url:
        yield url


def approve(url: str, password: str = PASSWORD) -> requests.Response:
    """Play the browser at the provider: load its login page, log in, allow."""
    with requests.Session() as browser:
        page = browser.get(url, timeout=5)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        data = {"username": "ada", "password": password, "csrf_token": token[1] if token else ""}
        return browser.post(url, data=data, allow_redirects=False, timeout=5)


def callback_for(provider: str) -> tuple[LoginStart, str]:
    start = start_login(provider, "course-client", REDIRECT)
    answer = approve(start.url)
    assert answer.status_code == 302, answer.text
    return start, answer.headers["Location"]


def test_a_login_through_the_provider_returns_the_user(provider):
    start, callback = callback_for(provider)
    assert callback.startswith(REDIRECT + "?code=")
    assert finish_login(provider, "course-client", REDIRECT, callback, start) == {"sub": "ada"}


@pytest.mark.parametrize("state", ["an-attackers-state", None], ids=["wrong state", "no state"])
def test_a_callback_with_a_wrong_or_missing_state_is_refused(provider, state):
    start, callback = callback_for(provider)
    query = parse_qs(urlsplit(callback).query)
    forged = {"code": query["code"][0], **({"state": state} if state else {})}
    with pytest.raises(MismatchingStateException):
        finish_login(provider, "course-client", REDIRECT, f"{REDIRECT}?{urlencode(forged)}", start)


def test_a_code_with_the_wrong_pkce_verifier_is_refused(provider):
    start, callback = callback_for(provider)
    stolen = LoginStart(start.url, start.state, "x" * 64)  # a thief has the code, not the verifier
    with pytest.raises(Exception, match="invalid_grant"):
        finish_login(provider, "course-client", REDIRECT, callback, stolen)


def test_a_code_works_once(provider):
    start, callback = callback_for(provider)
    finish_login(provider, "course-client", REDIRECT, callback, start)
    with pytest.raises(Exception, match="invalid_grant"):
        finish_login(provider, "course-client", REDIRECT, callback, start)


@pytest.mark.parametrize(
    "redirect", ["https://evil.example/callback", REDIRECT + "/../steal", REDIRECT + "x"]
)
def test_an_unregistered_redirect_uri_is_refused_without_redirecting(provider, redirect):
    start = start_login(provider, "course-client", redirect)
    page = requests.get(start.url, allow_redirects=False, timeout=5)
    assert (page.status_code, page.json()) == (400, {"error": "invalid_request"})
    answer = approve(start.url)
    assert answer.status_code == 400
    assert "Location" not in answer.headers


def test_a_wrong_password_at_the_provider_issues_no_code(provider):
    start = start_login(provider, "course-client", REDIRECT)
    assert approve(start.url, password="not the password at all").status_code == 401


def test_a_code_requested_without_pkce_cannot_be_exchanged(provider):
    start = start_login(provider, "course-client", REDIRECT)
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.url).query).items()}
    query.pop("code_challenge"), query.pop("code_challenge_method")
    start_without = LoginStart(f"{provider}/authorize?{urlencode(query)}", start.state, "")
    callback = approve(start_without.url).headers["Location"]
    # the provider issues the code, but a public client's exchange without PKCE is refused
    with pytest.raises(Exception, match="code_verifier"):
        finish_login(provider, "course-client", REDIRECT, callback, start_without)


def test_plain_pkce_is_refused_at_the_authorize_step(provider):
    start = start_login(provider, "course-client", REDIRECT)
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.url).query).items()}
    query.update(code_challenge="v" * 43, code_challenge_method="plain")  # the verifier itself
    page = requests.get(f"{provider}/authorize?{urlencode(query)}", timeout=5)
    assert (page.status_code, page.json()) == (400, {"error": "invalid_request"})


def test_an_expired_code_cannot_be_exchanged(auth_settings):
    passwords = Passwords(make_hasher(auth_settings))
    client = PublicClient("course-client", [REDIRECT])
    users = {"ada": passwords.hash(PASSWORD)}
    app = create_provider_app(passwords, users, client, code_seconds=-1)  # born expired
    with serve_locally(app) as provider:
        start, callback = callback_for(provider)
        with pytest.raises(Exception, match="invalid_grant"):
            finish_login(provider, "course-client", REDIRECT, callback, start)
