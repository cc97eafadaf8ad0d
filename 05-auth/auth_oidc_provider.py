"""OpenID Connect on the lesson's provider: ID tokens signed with its key, which it publishes.

OpenID Connect is OAuth 2.0 plus identity. When the client asks for the `openid` scope, the
token response also carries an ID token: a JWT the provider signs, saying who logged in
(`sub`), for which client (`aud`), from which provider (`iss`), until when (`exp`) and for
which login request (`nonce`, which the client chose and sent). Clients find the endpoints
and the provider's public keys by discovery: `/.well-known/openid-configuration` names the
issuer and its `jwks_uri`, where the keys are (OpenID Connect Discovery 1.0).
"""

from __future__ import annotations

import time

from auth_jwt import SigningKeys
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask
from jwt.algorithms import RSAAlgorithm

ID_TOKEN_SECONDS = 5 * 60  # read once, at login: a short life is enough


def issuer_of(app: Flask) -> str:
    """Return the provider's issuer: the exact URL it is served at (`serve_locally` sets it)."""
    return app.config["OIDC_ISSUER"]


def public_jwks(keys: SigningKeys) -> dict:
    """Return the provider's public keys as a JWK Set (RFC 7517), each with its key id."""
    jwk = RSAAlgorithm.to_jwk(keys.public_key, as_dict=True)
    return {"keys": [{**jwk, "kid": keys.key_id, "use": "sig", "alg": "RS256"}]}


class ProviderOpenID(OpenIDCode):
    """Authlib's OpenID Connect extension of the code grant, with the lesson's key and users."""

    def __init__(self, app: Flask, keys: SigningKeys, nonces: set[str]) -> None:
        super().__init__(require_nonce=True)  # no nonce, no ID token: replays must be visible
        self.app, self.keys, self.nonces = app, keys, nonces

    def resolve_client_private_key(self, client) -> dict:
        return {**RSAAlgorithm.to_jwk(self.keys.private_key, as_dict=True), "kid": self.keys.key_id}

    def get_client_algorithm(self, client) -> str:
        return "RS256"

    def get_encode_header(self, client) -> dict:
        return {"alg": "RS256", "kid": self.keys.key_id}  # the client picks the key by kid

    def get_client_claims(self, client) -> dict:
        expires = int(time.time()) + ID_TOKEN_SECONDS
        return {"iss": issuer_of(self.app), "aud": [client.get_client_id()], "exp": expires}

    def exists_nonce(self, nonce: str, request) -> bool:
        return nonce in self.nonces  # a nonce that already got a code is a replayed request

    def generate_user_info(self, user: str, scope: str) -> UserInfo:
        return UserInfo(sub=user)


def add_discovery(app: Flask, keys: SigningKeys) -> None:
    """Serve the discovery document and the JWK Set."""

    @app.get("/.well-known/openid-configuration")
    def openid_configuration() -> dict:
        issuer = issuer_of(app)
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks.json",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile"],
        }

    @app.get("/jwks.json")
    def jwks() -> dict:
        return public_jwks(keys)
