"""OAuth 2.0 code flow with PKCE and OpenID Connect, over real HTTP: each attack refused."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from auth_attacks import forge_alg_none, forge_hs256
from auth_jwt import generate_signing_keys
from auth_oauth import LoginStart, finish_login, serve_locally, start_login
from auth_oauth_provider import PublicClient, create_provider_app
from auth_oidc import discover, verify_id_token
from auth_passwords import Passwords, make_hasher
from authlib.oauth2.rfc6749.errors import MismatchingStateException

REDIRECT = "https://client.example/callback"
PASSWORD = "a long passphrase nobody guesses"


@pytest.fixture
def provider(auth_settings, signing_keys):
    passwords = Passwords(make_hasher(auth_settings))
    client = PublicClient("course-client", [REDIRECT])
    users = {"ada": passwords.hash(PASSWORD)}
    app = create_provider_app(passwords, users, client, keys=signing_keys)
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
    identity = finish_login(provider, "course-client", REDIRECT, callback, start)
    assert (identity["sub"], identity["nonce"]) == ("ada", start.nonce)


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


def test_an_expired_code_cannot_be_exchanged(auth_settings, signing_keys):
    passwords = Passwords(make_hasher(auth_settings))
    client = PublicClient("course-client", [REDIRECT])
    users = {"ada": passwords.hash(PASSWORD)}
    app = create_provider_app(passwords, users, client, code_seconds=-1, keys=signing_keys)
    with serve_locally(app) as provider:
        start, callback = callback_for(provider)
        with pytest.raises(Exception, match="invalid_grant"):
            finish_login(provider, "course-client", REDIRECT, callback, start)


# OpenID Connect: the ID token, verified against the provider's published keys


def id_token_for(provider: str) -> tuple[LoginStart, str]:
    """Log in through the provider; return the login's start and the raw ID token."""
    start, callback = callback_for(provider)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    answer = requests.post(
        f"{provider}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
              "client_id": "course-client", "code_verifier": start.code_verifier},
        timeout=5,
    )  # fmt: skip
    return start, answer.json()["id_token"]


def verify(provider: str, id_token: str, nonce: str, client_id: str = "course-client") -> dict:
    jwks = jwt.PyJWKClient(discover(provider)["jwks_uri"], timeout=5)
    return verify_id_token(id_token, issuer=provider, client_id=client_id, nonce=nonce, jwks=jwks)


def test_the_id_token_is_signed_by_a_published_key_and_names_the_user(provider):
    start, id_token = id_token_for(provider)
    claims = verify(provider, id_token, start.nonce)
    assert (claims["iss"], claims["sub"], claims["aud"]) == (provider, "ada", ["course-client"])


def test_an_id_token_from_another_login_is_refused_by_its_nonce(provider):
    _, stolen = id_token_for(provider)  # the attacker's own login, or one it intercepted
    victim_start, _ = id_token_for(provider)
    with pytest.raises(jwt.InvalidTokenError, match="nonce"):
        verify(provider, stolen, victim_start.nonce)


def test_an_id_token_for_another_client_is_refused(provider):
    start, id_token = id_token_for(provider)
    with pytest.raises(jwt.InvalidAudienceError):
        verify(provider, id_token, start.nonce, client_id="another-client")


def claims_for(provider: str, changes: dict | None = None) -> dict:
    now = int(time.time())
    claims = {"iss": provider, "sub": "ada", "aud": ["course-client"], "iat": now,
              "exp": now + 300, "nonce": "the nonce of this login", **(changes or {})}  # fmt: skip
    return {name: value for name, value in claims.items() if value is not None}


@pytest.mark.parametrize(
    "changes",
    [{"iss": "https://evil.example"}, {"exp": int(time.time()) - 60}, {"exp": None},
     {"nonce": None}, {"sub": None}, {"iat": None}, {"aud": ["course-client", "evil-client"]},
     {"aud": ["course-client", "evil-client"], "azp": "evil-client"},
     {"azp": "evil-client"}],
    ids=["another issuer", "expired", "no exp", "no nonce", "no sub", "no iat",
         "two audiences, no azp", "two audiences, azp another client",
         "one audience, azp another client"],
)  # fmt: skip
def test_an_id_token_signed_by_the_provider_but_wrong_is_refused(provider, signing_keys, changes):
    nonce = "the nonce of this login"
    claims = claims_for(provider, changes)
    # signed with the provider's own key: only the claim checks stand between it and a login
    token = jwt.encode(claims, signing_keys.private_key, "RS256", {"kid": signing_keys.key_id})
    with pytest.raises(jwt.PyJWTError):
        verify(provider, token, nonce)


@pytest.mark.parametrize(
    "changes",
    [{}, {"azp": "course-client"}, {"aud": ["course-client", "its-api"], "azp": "course-client"}],
    ids=["one audience", "one audience, azp this client", "two audiences, azp this client"],
)
def test_an_id_token_for_this_client_is_accepted(provider, signing_keys, changes):
    nonce = "the nonce of this login"
    claims = claims_for(provider, changes)
    token = jwt.encode(claims, signing_keys.private_key, "RS256", {"kid": signing_keys.key_id})
    assert verify(provider, token, nonce)["aud"] == claims["aud"]


@pytest.mark.parametrize("algorithm", ["RS512", "PS256"])
def test_an_id_token_signed_with_another_algorithm_is_refused(provider, signing_keys, algorithm):
    # the provider's own key, only another algorithm: the pin alone refuses it
    claims = claims_for(provider)
    token = jwt.encode(claims, signing_keys.private_key, algorithm, {"kid": signing_keys.key_id})
    with pytest.raises(jwt.InvalidAlgorithmError):
        verify(provider, token, "the nonce of this login")


@pytest.mark.parametrize("forgery", ["another key, same kid", "alg none", "HS256 with public key"])
def test_a_forged_id_token_is_refused(provider, signing_keys, forgery):
    nonce = "the nonce of this login"
    claims = claims_for(provider)
    if forgery == "another key, same kid":
        mallory = generate_signing_keys().private_key
        token = jwt.encode(claims, mallory, "RS256", {"kid": signing_keys.key_id})
    elif forgery == "alg none":
        token = forge_alg_none(claims, kid=signing_keys.key_id)  # the kid finds the real key
    else:
        token = forge_hs256(claims, signing_keys.public_pem(), kid=signing_keys.key_id)
    with pytest.raises(jwt.PyJWTError):
        verify(provider, token, nonce)


def test_an_authorization_request_reusing_a_nonce_is_refused(provider):
    start, _ = callback_for(provider)  # that nonce got a code
    replay = requests.get(start.url, allow_redirects=False, timeout=5)
    assert (replay.status_code, replay.json()) == (400, {"error": "invalid_request"})


def test_an_authorization_request_without_a_nonce_is_refused(provider):
    start = start_login(provider, "course-client", REDIRECT)
    url, query = start.url.split("?", 1)
    params = {name: value for name, value in parse_qs(query).items() if name != "nonce"}
    answer = requests.get(
        f"{url}?{urlencode(params, doseq=True)}", allow_redirects=False, timeout=5
    )
    assert (answer.status_code, answer.json()) == (400, {"error": "invalid_request"})


def test_the_discovery_document_must_name_the_issuer_it_was_fetched_from(provider):
    with pytest.raises(Exception, match="names"):
        discover(provider.replace("127.0.0.1", "localhost"))
