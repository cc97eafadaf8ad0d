"""What the lesson's provider remembers: its registered client, and the codes it issued.

The client is public (a browser or mobile app holds no secret), so PKCE protects its code; its
redirect URIs are matched exactly. A code records everything the token request must match
(client, redirect URI, PKCE challenge) and, for OpenID Connect, the login's nonce and time.
"""

from __future__ import annotations

from dataclasses import dataclass

from authlib.oauth2.rfc6749 import ClientMixin


@dataclass
class PublicClient(ClientMixin):
    """A registered client without a secret (a browser or mobile app): PKCE protects its code."""

    client_id: str
    redirect_uris: list[str]
    scope: str = "openid profile"

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in self.scope.split())

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact match: no prefixes, no wildcards

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class IssuedCode:
    """An authorization code, as the provider remembers it until it is used."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    code_challenge: str
    code_challenge_method: str
    expires_at: float
    nonce: str | None = None  # OpenID Connect: copied into the ID token
    auth_time: int | None = None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int | None:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None
