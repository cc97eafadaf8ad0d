"""Tokens in FastAPI: the password grant, scopes, and every token attack refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from auth_attacks import (
    claims_of,
    forge_alg_none,
    forge_hs256,
    tamper,
    verify_trusting_header_UNSAFE,
)
from auth_jwt import generate_signing_keys, issue_access_token, verify_access_token
from auth_passwords import Passwords, make_hasher
from auth_refresh import Outcome, RefreshTokens
from auth_store import Order, add_user
from auth_tokens import create_token_app
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

PASSWORD = "a long passphrase nobody guesses"


@pytest.fixture
def users(auth_settings, auth_engine) -> dict[str, int]:
    """Ada (customer) with order 1, Bob (customer) with order 2, Sam (support)."""
    passwords = Passwords(make_hasher(auth_settings))
    with Session(auth_engine) as session:
        ids = {
            name: add_user(session, f"{name}@example.com", passwords.hash(PASSWORD), role).id
            for name, role in [("ada", "customer"), ("bob", "customer"), ("sam", "support")]
        }
        session.add_all(
            [Order(owner_id=ids["ada"], item="tea"), Order(owner_id=ids["bob"], item="jam")]
        )
        session.commit()
    return ids


def log_in(client, name: str, scope: str = "orders:read profile:read") -> dict:
    response = client.post(
        "/token",
        data={"grant_type": "password", "username": f"{name}@example.com", "password": PASSWORD,
              "scope": scope},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_the_password_grant_returns_a_bearer_token_that_opens_me(token_client, users):
    issued = log_in(token_client, "ada")
    assert issued["token_type"] == "bearer" and issued["expires_in"] == 300
    me = token_client.get("/me", headers=bearer(issued["access_token"]))
    assert me.json()["email"] == "ada@example.com", me.text


@pytest.mark.parametrize("username", ["ada@example.com", "nobody@example.com"])
def test_a_wrong_password_gets_invalid_grant_whether_or_not_the_user_exists(
    token_client, users, username
):
    response = token_client.post(
        "/token", data={"grant_type": "password", "username": username, "password": "wrong!"}
    )
    assert (response.status_code, response.json()) == (400, {"detail": {"error": "invalid_grant"}})


def test_a_token_carries_only_the_scopes_its_role_grants(token_client, users):
    asked = "orders:read orders:read_any users:manage"
    issued = log_in(token_client, "ada", scope=asked)
    assert issued["scope"] == "orders:read", "a customer cannot ask for support's scope"
    assert log_in(token_client, "sam", scope=asked)["scope"] == "orders:read orders:read_any"
    me = token_client.get("/me", headers=bearer(issued["access_token"]))
    assert me.status_code == 403
    assert me.headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope"'


def test_a_customer_reads_their_own_order_and_not_anothers(token_client, users):
    token = log_in(token_client, "ada")["access_token"]
    assert token_client.get("/orders/1", headers=bearer(token)).status_code == 200
    theirs = token_client.get("/orders/2", headers=bearer(token))
    missing = token_client.get("/orders/999", headers=bearer(token))
    assert theirs.status_code == missing.status_code == 404, "not yours looks like not there"
    support = log_in(token_client, "sam")["access_token"]
    assert token_client.get("/orders/2", headers=bearer(support)).status_code == 200


def forged(signing_keys, auth_settings, kind: str) -> str:
    """Return a token made by an attacker, of one kind."""
    genuine = issue_access_token(signing_keys, auth_settings, subject="1", scopes=["orders:read"])
    claims = claims_of(genuine)
    if kind == "tampered":
        return tamper(genuine, sub="2")
    if kind == "alg none":
        return forge_alg_none(claims)
    if kind == "HS256 with the RS256 public key":
        return forge_hs256(claims, signing_keys.public_pem())
    if kind == "expired":
        past = datetime.now(UTC) - timedelta(hours=1)
        return issue_access_token(signing_keys, auth_settings, subject="1", scopes=[], now=past)
    if kind == "another audience":
        return issue_access_token(
            signing_keys, auth_settings, subject="1", scopes=[], audience="another-api"
        )
    if kind == "another issuer's key":
        return issue_access_token(generate_signing_keys(), auth_settings, subject="1", scopes=[])
    if kind == "missing scope claim":
        return jwt.encode({k: v for k, v in claims.items() if k != "scope"},
                          signing_keys.private_key, algorithm="RS256")  # fmt: skip
    raise AssertionError(kind)


ATTACKS = [
    "tampered",
    "alg none",
    "HS256 with the RS256 public key",
    "expired",
    "another audience",
    "another issuer's key",
    "missing scope claim",
]


@pytest.mark.parametrize("kind", ATTACKS)
def test_a_forged_token_is_refused_by_the_verifier(signing_keys, auth_settings, kind):
    token = forged(signing_keys, auth_settings, kind)
    with pytest.raises(jwt.InvalidTokenError):
        verify_access_token(token, signing_keys, auth_settings)


@pytest.mark.parametrize("kind", ATTACKS)
def test_a_forged_token_gets_401_invalid_token_from_the_api(
    token_client, users, signing_keys, auth_settings, kind
):
    response = token_client.get("/me", headers=bearer(forged(signing_keys, auth_settings, kind)))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


@pytest.mark.parametrize("kind", ["tampered", "alg none", "HS256 with the RS256 public key"])
def test_the_wrong_way_trusting_the_header_accepts_forgeries(signing_keys, auth_settings, kind):
    """THE WRONG WAY: a verifier that lets the token choose its algorithm."""
    token = forged(signing_keys, auth_settings, kind)
    if kind == "tampered":  # the signature check, at least, catches a plain tamper
        with pytest.raises(ValueError):
            verify_trusting_header_UNSAFE(token, signing_keys.public_pem())
    else:
        assert verify_trusting_header_UNSAFE(token, signing_keys.public_pem())["sub"] == "1"


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer not.a.jwt", "Basic YWRhOnB3", "Bearer " + "a" * 5000],
    ids=["no token", "not a JWT", "Basic", "5000 characters"],
)
def test_a_malformed_authorization_header_gets_a_clean_401(token_client, users, header):
    response = token_client.get("/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert "Traceback" not in response.text


def test_an_oversized_password_is_a_422_not_a_denial_of_service(token_client, users):
    response = token_client.post(
        "/token", data={"grant_type": "password", "username": "ada@example.com",
                        "password": "x" * 1_000_000},
    )  # fmt: skip
    assert response.status_code == 422


def refresh(client, token: str):
    return client.post("/token", data={"grant_type": "refresh_token", "refresh_token": token})


def test_a_refresh_token_rotates_on_every_use(token_client, users):
    first = log_in(token_client, "ada")["refresh_token"]
    second = refresh(token_client, first).json()
    assert second["refresh_token"] != first
    assert token_client.get("/orders/1", headers=bearer(second["access_token"])).status_code == 200
    assert refresh(token_client, second["refresh_token"]).status_code == 200


def test_a_reused_refresh_token_revokes_the_whole_family(token_client, users):
    stolen = log_in(token_client, "ada")["refresh_token"]
    legitimate = refresh(token_client, stolen).json()["refresh_token"]  # the client rotates
    reuse = refresh(token_client, stolen)  # the thief replays the old one
    assert (reuse.status_code, reuse.json()["detail"]) == (400, {"error": "invalid_grant"})
    assert refresh(token_client, legitimate).status_code == 400, "the family is revoked"
    assert refresh(token_client, log_in(token_client, "ada")["refresh_token"]).status_code == 200


def test_concurrent_uses_of_one_refresh_token_rotate_it_once(auth_redis, race):
    tokens = RefreshTokens(auth_redis, "auth:", 60)
    for _ in range(5):  # several trials: a read-then-write version loses one of them at least
        token = tokens.issue("1:orders:read")
        rotations = race(lambda _, token=token: tokens.rotate(token))
        outcomes = [rotation.outcome for rotation in rotations]
        assert outcomes.count(Outcome.OK) == 1, outcomes
        winner = next(rotation for rotation in rotations if rotation.outcome is Outcome.OK)
        assert tokens.rotate(winner.token).outcome is Outcome.REVOKED, "the reuse revoked it"


def test_logout_revokes_the_refresh_token_family(token_client, users):
    token = log_in(token_client, "ada")["refresh_token"]
    assert token_client.post("/logout", data={"refresh_token": token}).status_code == 204
    assert refresh(token_client, token).status_code == 400


@pytest.mark.parametrize(
    "token",
    ["", "no-dot", ".x", "unknown.token", "a." + "b" * 400],
    ids=["empty", "no dot", "no family", "unknown", "oversized"],
)
def test_a_malformed_or_unknown_refresh_token_is_invalid_grant(token_client, users, token):
    assert refresh(token_client, token).status_code in (400, 422)


def test_a_family_kept_alive_by_rotation_still_ends_at_its_absolute_lifetime(auth_redis):
    now = [1_000.0]  # an injected clock: hours pass in microseconds
    tokens = RefreshTokens(auth_redis, "auth:", 60, family_seconds=3_600, clock=lambda: now[0])
    token = tokens.issue("1:orders:read")
    for minutes in range(1, 60):  # a refresh every minute: each token is fresh when used
        now[0] = 1_000.0 + minutes * 60 - 1
        rotation = tokens.rotate(token)
        assert rotation.outcome is Outcome.OK, f"minute {minutes}"
        token = rotation.token
    now[0] = 1_000.0 + 3_600
    assert tokens.rotate(token).outcome is Outcome.EXPIRED, "an hour after the login: log in again"
    assert tokens.rotate(tokens.issue("1:orders:read")).outcome is Outcome.OK, "a new login works"


def test_the_token_api_refuses_a_refresh_past_the_familys_lifetime(
    auth_settings, auth_engine, auth_redis, signing_keys, users
):
    settings = auth_settings.with_changes(refresh_family_seconds=0)  # ends as it begins
    app = create_token_app(settings, engine=auth_engine, redis_client=auth_redis, keys=signing_keys)
    with TestClient(app) as client:
        answer = refresh(client, log_in(client, "ada")["refresh_token"])
    assert (answer.status_code, answer.json()["detail"]) == (400, {"error": "invalid_grant"})


def test_a_token_stored_without_its_familys_birth_is_expired_not_an_error(auth_redis):
    tokens = RefreshTokens(auth_redis, "auth:", 60)
    token = tokens.issue("1:orders:read")
    auth_redis.hdel(tokens._keys(token)[0], "born")  # as a version before the limit stored it
    assert tokens.rotate(token).outcome is Outcome.EXPIRED


@pytest.mark.parametrize("how", ["logout", "password change", "reuse"])
def test_a_revoked_familys_flag_lives_until_the_familys_end(auth_redis, how):
    # a rotation that passed the script just before the revocation issues its token a moment
    # later, with a full `seconds` to live: a flag that expired first would let it rotate again
    tokens = RefreshTokens(auth_redis, "auth:", 60, family_seconds=3_600)
    first = tokens.issue("1:orders:read")
    if how == "logout":
        tokens.revoke_family(first)
    elif how == "password change":
        tokens.revoke_user(1)
    else:
        tokens.rotate(first)
        assert tokens.rotate(first).outcome is Outcome.REUSED
    flag = f"auth:family:{first.partition('.')[0]}:revoked"
    assert auth_redis.ttl(flag) > tokens.seconds, "the family could outlive its revocation"
