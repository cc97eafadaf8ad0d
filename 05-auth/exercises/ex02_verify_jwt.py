"""Verify a JWT access token so that no forged token gets through.

Write `verify(token, public_key, *, audience, issuer)` with PyJWT. It returns the token's
claims when the token was signed RS256 by the holder of the private key, carries the claims
`exp`, `iss`, `aud` and `sub`, has not expired, and was issued by `issuer` for `audience`;
otherwise it raises `jwt.InvalidTokenError` (or a subclass). The tests attack it with a token
that says `alg: none`, an HS256 token signed with the public key (algorithm confusion), an
expired token, one for another audience, one from another issuer, one with a changed claim,
and tokens that leave `exp` or `sub` out.

`auth_jwt.verify_access_token` is one complete answer; try yours first.

Check your work with `.venv/bin/course check 05 ex02`; a hint: `.venv/bin/course hint 05 ex02`.
"""

from __future__ import annotations

import jwt


def verify(token: str, public_key, *, audience: str, issuer: str) -> dict:
    """Return the verified claims of an RS256 token; raise jwt.InvalidTokenError if forged."""
    # TODO: jwt.decode with the algorithm pinned, and the audience and issuer given
    return jwt.decode(token, options={"verify_signature": False})  # THE WRONG WAY: replace it
