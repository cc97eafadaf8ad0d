"""Checks for ex02: `course check 05 ex02` runs them against your task."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from auth_attacks import claims_of, forge_alg_none, forge_hs256, tamper
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from course.exercises import load_exercise

task = load_exercise(__file__)

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)
CHECKS = {"audience": "orders-api", "issuer": "https://issuer.example"}


def make(*, drop: str = "", **changes) -> str:
    now = datetime.now(UTC)
    claims = {"iss": CHECKS["issuer"], "aud": CHECKS["audience"], "sub": "1", "iat": now,
              "exp": now + timedelta(minutes=5)} | changes  # fmt: skip
    claims.pop(drop, None)  # a token that simply leaves a claim out
    return jwt.encode(claims, KEY, algorithm="RS256")


def test_a_genuine_token_returns_its_claims():
    assert task.verify(make(), KEY.public_key(), **CHECKS)["sub"] == "1"


@pytest.mark.parametrize(
    "attack",
    ["alg none", "HS256 with the public key", "expired", "another audience",
     "another issuer", "changed claim", "no expiry", "no subject"],
)  # fmt: skip
def test_a_forged_token_raises_invalid_token_error(attack):
    genuine = make()
    token = {
        "alg none": lambda: forge_alg_none(claims_of(genuine)),
        "HS256 with the public key": lambda: forge_hs256(claims_of(genuine), PUBLIC_PEM),
        "expired": lambda: make(exp=datetime.now(UTC) - timedelta(minutes=10)),
        "another audience": lambda: make(aud="billing-api"),
        "another issuer": lambda: make(iss="https://evil.example"),
        "changed claim": lambda: tamper(genuine, sub="2"),
        "no expiry": lambda: make(drop="exp"),  # valid for ever, unless exp is required
        "no subject": lambda: make(drop="sub"),
    }[attack]()
    with pytest.raises(jwt.InvalidTokenError):
        task.verify(token, KEY.public_key(), **CHECKS)
        pytest.fail(f"a token forged with {attack!r} was accepted", pytrace=False)
