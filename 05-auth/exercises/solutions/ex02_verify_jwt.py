"""Verify a JWT access token so that no forged token gets through: the reference solution."""

from __future__ import annotations

import jwt


def verify(token: str, public_key, *, audience: str, issuer: str) -> dict:
    """Return the verified claims of an RS256 token; raise jwt.InvalidTokenError if forged."""
    return jwt.decode(
        token,
        public_key,
        algorithms=["RS256"],  # pinned: never the algorithm the token's header names
        audience=audience,
        issuer=issuer,
        options={"require": ["exp", "iss", "aud", "sub"]},
    )
