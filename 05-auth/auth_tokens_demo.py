"""The token API attacked, played with FastAPI's test client.

Run it to see, in numbered steps: a password grant and the claims inside the access token
(readable by anyone: a JWT is signed, not encrypted), six forged tokens and the answer each
gets, a refresh token rotating, and a stolen refresh token replayed, which revokes the whole
family so that the thief and the client must both log in again.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta

import redis
from auth_attacks import claims_of, forge_alg_none, forge_hs256, tamper
from auth_config import load_auth_settings, run_main
from auth_jwt import generate_signing_keys, issue_access_token
from auth_passwords import Passwords, make_hasher
from auth_store import add_user, create_schema, make_engine
from auth_tokens import create_token_app
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import course
from course.sandbox import temporary_postgres_database

# the demo user's password, made up by this script for its throwaway account
DEMO_PASSWORD = "correct horse battery staple"  # nosec B105


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # the demo uses the development secret
    base = course.require("postgres", "redis")
    with temporary_postgres_database(base, prefix="auth_tokens") as url:
        engine = make_engine(url)
        create_schema(engine)
        prefix = f"auth-demo-{secrets.token_hex(3)}:"
        settings = load_auth_settings(url, base.redis_url, redis_prefix=prefix)
        with Session(engine) as session:
            hashed = Passwords(make_hasher(settings)).hash(DEMO_PASSWORD)
            add_user(session, "ada@example.com", hashed)
            session.commit()
        client, keys = redis.Redis.from_url(base.redis_url), generate_signing_keys()
        api = TestClient(create_token_app(settings, engine=engine, redis_client=client, keys=keys))
        login = {
            "grant_type": "password",
            "username": "ada@example.com",
            "password": DEMO_PASSWORD,
            "scope": "orders:read profile:read",
        }
        issued = api.post("/token", data=login).json()
        claims = claims_of(issued["access_token"])
        print("1. The password grant returns a bearer token; anyone can read its claims:")
        print(f"   { ({key: claims[key] for key in ('iss', 'sub', 'aud', 'scope')}) }")
        past = datetime.now(UTC) - timedelta(hours=1)
        token_for = {"settings": settings, "subject": "1", "scopes": []}
        attacks = {
            "sub changed to 2, signature kept": tamper(issued["access_token"], sub="2"),
            "alg: none, no signature": forge_alg_none(claims),
            "HS256 signed with the RS256 public key": forge_hs256(claims, keys.public_pem()),
            "expired an hour ago": issue_access_token(keys, now=past, **token_for),
            "for another audience": issue_access_token(keys, audience="other-api", **token_for),
            "signed by another key": issue_access_token(generate_signing_keys(), **token_for),
        }
        print("2. Forged tokens, each refused:")
        for label, token in attacks.items():
            answer = api.get("/me", headers={"Authorization": f"Bearer {token}"})
            print(f"   {label:40} {answer.status_code} {answer.headers['WWW-Authenticate']}")
        stolen = issued["refresh_token"]
        rotated = api.post("/token", data={"grant_type": "refresh_token", "refresh_token": stolen})
        fresh = rotated.json()["refresh_token"]
        print(f"3. A refresh rotates the token: {rotated.status_code}, new token {fresh[:10]}...")
        replay = api.post("/token", data={"grant_type": "refresh_token", "refresh_token": stolen})
        after = api.post("/token", data={"grant_type": "refresh_token", "refresh_token": fresh})
        print(f"4. The old token replayed: {replay.status_code} {replay.json()['detail']};")
        print(f"   and now the client's own new token is refused too: {after.status_code}")
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
        engine.dispose()
    print("Conclusion: pin the algorithm, check signature, expiry, issuer and audience, keep")
    print("access tokens short, and rotate refresh tokens so that a replay gives the theft away.")


if __name__ == "__main__":
    course.script_arguments()
    run_main(main)
