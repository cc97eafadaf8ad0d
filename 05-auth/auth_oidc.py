"""Verify an OpenID Connect ID token as the specification says, with PyJWT.

Anyone can make a JWT, so a client believes an ID token only after it checks, as OpenID
Connect Core 1.0 section 3.1.3.7 lists: the signature, with a key from the provider's own
JWK Set (found through discovery from the issuer the client was configured with, never from
the token); the algorithm, pinned; `iss`, the provider's exact issuer; `aud`, this client's
id (and `azp` when there are several audiences); `exp`, still ahead; and the `nonce`, the one
this login sent, so an ID token from another login (stolen or replayed) is refused.
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
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise jwt.InvalidAudienceError("several audiences, and azp is not this client")
    if not hmac.compare_digest(str(claims["nonce"]), nonce):
        raise jwt.InvalidTokenError("the nonce is not this login's: a replayed ID token")
    return claims
