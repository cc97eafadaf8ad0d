"""Verify an OpenID Connect ID token as the specification says, with PyJWT.

Anyone can make a JWT, so a client believes an ID token only after the checks OpenID Connect
Core 1.0 section 3.1.3.7 lists (PyJWT checks the signature first, then the claims; the order
changes nothing, since every check must pass): the signature, with a key from the provider's
own JWK Set (found through discovery from the issuer the client was configured with, never
from the token); the algorithm, pinned; `iss`, the provider's exact issuer; `aud`, this
client's id; `azp`, if present, this client's id too (and present when there are several
audiences); `exp`, still ahead; `sub` and `iat`, present; and the `nonce`, the one this login
sent, so an ID token from another login (stolen or replayed) is refused.
"""

from __future__ import annotations

import hmac

import jwt
import requests

ALGORITHMS = ["RS256"]  # what the provider's discovery document says it signs with; pinned
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "nonce"]
LEEWAY_SECONDS = 5


class DiscoveryError(RuntimeError):
    """The provider's discovery document is not the configured issuer's."""


def discover(issuer: str) -> dict:
    """Return the issuer's discovery document, after checking it names that same issuer."""
    answer = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5)
    answer.raise_for_status()
    document = answer.json()
    if document.get("issuer") != issuer:  # OpenID Connect Discovery 1.0, section 4.3
        raise DiscoveryError(f"the document at {issuer} names {document.get('issuer')!r}")
    return document


def verify_id_token(
    id_token: str, *, issuer: str, client_id: str, nonce: str, jwks: jwt.PyJWKClient
) -> dict:
    """Return the ID token's claims; raise jwt.PyJWTError if any check fails."""
    # the key is chosen by the token's kid, but only among the provider's published keys
    key = jwks.get_signing_key_from_jwt(id_token)
    claims = jwt.decode(
        id_token,
        key.key,
        algorithms=ALGORITHMS,
        audience=client_id,
        issuer=issuer,
        leeway=LEEWAY_SECONDS,
        options={"require": REQUIRED_CLAIMS},
    )
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and "azp" not in claims:  # Core 3.1.3.7, item 4
        raise jwt.InvalidAudienceError("several audiences, and no azp")
    if "azp" in claims and claims["azp"] != client_id:  # item 5: whenever azp is present
        raise jwt.InvalidAudienceError("azp names another client")
    if not hmac.compare_digest(str(claims["nonce"]), nonce):
        raise jwt.InvalidTokenError("the nonce is not this login's: a replayed ID token")
    return claims
