"""The attacker's side of the token tests, and THE WRONG WAY to verify a JWT.

Forged tokens are built by hand (base64url and HMAC from the standard library) because a
good JWT library refuses to make them. `verify_trusting_header_UNSAFE` is the classic
mistake, labelled and kept only so that the tests can show it accepting every forgery that
`auth_jwt.verify_access_token` refuses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def b64url(data: bytes) -> str:
    """Encode bytes as unpadded base64url, as JWTs do."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def segment(value: dict) -> str:
    """Encode a header or a payload as a JWT segment."""
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def forge_alg_none(claims: dict, **header: str) -> str:
    """Return an unsigned token that says `alg: none` (with more `header` fields, e.g. a kid)."""
    return f"{segment({'alg': 'none', 'typ': 'JWT', **header})}.{segment(claims)}."


def forge_hs256(claims: dict, secret: bytes, **header: str) -> str:
    """Return a token 'signed' HS256 with `secret`: with an RS256 public key, it is confusion."""
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', **header})}.{segment(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def tamper(token: str, **changes: object) -> str:
    """Return the token with some claims changed and the original signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload)) | changes
    return f"{header}.{segment(claims)}.{signature}"


def claims_of(token: str) -> dict:
    """Read a token's claims without verifying anything (what any holder can do)."""
    return json.loads(b64url_decode(token.split(".")[1]))


def verify_trusting_header_UNSAFE(token: str, public_pem: bytes) -> dict:
    """THE WRONG WAY: let the token's header choose the algorithm, with one key for all."""
    header_part, payload_part, signature_part = token.split(".")
    header = json.loads(b64url_decode(header_part))
    signing_input = f"{header_part}.{payload_part}".encode()
    signature = b64url_decode(signature_part)
    if header["alg"] == "none":  # "no signature needed", says the attacker
        return json.loads(b64url_decode(payload_part))
    if header["alg"] == "HS256":  # the public key, which everyone has, used as an HMAC secret
        expected = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            raise ValueError("bad signature")
        return json.loads(b64url_decode(payload_part))
    public_key = serialization.load_pem_public_key(public_pem)
    try:
        public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise ValueError("bad signature") from None
    return json.loads(b64url_decode(payload_part))
