"""Short-lived JWT access tokens (PyJWT), signed with RS256 and verified strictly.

Verification pins the algorithm (the token's own `alg` header is never trusted), checks the
signature, the expiry, the issuer and the audience, and requires every claim the API relies
on. An access token lives minutes: it cannot be revoked, so its lifetime is its revocation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from auth_config import AuthSettings
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ALGORITHM = "RS256"  # the one algorithm this API accepts; see verify_access_token
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "jti", "scope"]
LEEWAY_SECONDS = 5  # tolerated clock difference between the issuer and this server


@dataclass(frozen=True)
class SigningKeys:
    """The issuer's RSA key pair; only the public half is needed to verify."""

    private_key: rsa.RSAPrivateKey
    key_id: str

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        """Return the public key (what a resource server is given)."""
        return self.private_key.public_key()

    def public_pem(self) -> bytes:
        """Return the public key in PEM form, as it would be published."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def generate_signing_keys() -> SigningKeys:
    """Generate a 2048-bit RSA key pair with a random key id."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKeys(private_key=private_key, key_id=uuid.uuid4().hex[:16])


def issue_access_token(
    keys: SigningKeys,
    settings: AuthSettings,
    *,
    subject: str,
    scopes: list[str],
    now: datetime | None = None,
    audience: str | None = None,
) -> str:
    """Return a signed access token for `subject` with `scopes`, valid for a few minutes."""
    now = now or datetime.now(UTC)
    claims = {
        "iss": settings.token_issuer,
        "sub": subject,
        "aud": audience or settings.token_audience,
        "iat": now,
        "exp": now + timedelta(seconds=settings.access_token_seconds),
        "jti": uuid.uuid4().hex,
        "scope": " ".join(scopes),  # RFC 8693 / RFC 9068: scopes as one space-separated string
    }
    return jwt.encode(claims, keys.private_key, algorithm=ALGORITHM, headers={"kid": keys.key_id})


def verify_access_token(token: str, keys: SigningKeys, settings: AuthSettings) -> dict:
    """Return the token's claims; raise jwt.InvalidTokenError if anything is wrong."""
    return jwt.decode(
        token,
        keys.public_key,
        algorithms=[ALGORITHM],  # pinned: 'none' and HS256-with-the-public-key are refused
        audience=settings.token_audience,
        issuer=settings.token_issuer,
        leeway=LEEWAY_SECONDS,
        options={"require": REQUIRED_CLAIMS},
    )
