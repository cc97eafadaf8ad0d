"""Log in with an external provider, over real HTTP on 127.0.0.1, then each attack refused.

Run it to see, in numbered steps: the authorization URL (with `state` and a PKCE
`code_challenge`), the provider's redirect back with a code, the identity the client gets for
it (from the ID token, verified: OpenID Connect), and five attacks: a forged `state`, a
stolen code without the verifier, a code used twice, a redirect URI the client never
registered, and an ID token from another login; last, the provider's discovery document and
a raw ID token with its header, to paste into a decoder.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from argon2 import PasswordHasher
from auth_config import run_main
from auth_oauth import LoginStart, finish_login, serve_locally, start_login
from auth_oauth_provider import PublicClient, create_provider_app
from auth_oidc import discover, verify_id_token
from auth_passwords import Passwords

REDIRECT = "https://client.example/callback"

# the demo user's password, made up by this script for its throwaway account
DEMO_PASSWORD = "correct horse battery staple"  # nosec B105


def approve(url: str) -> requests.Response:
    """Play the browser at the provider: load its login page, log in as ada, allow."""
    with requests.Session() as browser:
        page = browser.get(url, timeout=5).text  # a refused request has no form, no token
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        form = {
            "username": "ada",
            "password": DEMO_PASSWORD,
            "csrf_token": token[1] if token else "",
        }
        return browser.post(url, data=form, allow_redirects=False, timeout=5)


def refused(action) -> str:
    """Run an attack; return the refusal's first line."""
    try:
        action()
    except Exception as error:  # the demo prints whatever the refusal was
        return f"refused: {str(error).splitlines()[0][:80]}"
    return "ACCEPTED (the defence is missing)"


def raw_id_token(provider: str) -> str:
    """Log in once more and return the raw ID token the token endpoint answers with."""
    login = start_login(provider, "course-client", REDIRECT)
    code = parse_qs(urlsplit(approve(login.url).headers["Location"]).query)["code"][0]
    return requests.post(
        f"{provider}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
              "client_id": "course-client", "code_verifier": login.code_verifier},
        timeout=5,
    ).json()["id_token"]  # fmt: skip


def replay(provider: str, victim: LoginStart) -> None:
    """Present an ID token the attacker got from its own login, at the victim's login."""
    token = raw_id_token(provider)
    jwks = jwt.PyJWKClient(f"{provider}/jwks.json", timeout=5)
    verify_id_token(
        token, issuer=provider, client_id="course-client", nonce=victim.nonce, jwks=jwks
    )


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log lines in the demo
    passwords = Passwords(PasswordHasher())
    users = {"ada": passwords.hash(DEMO_PASSWORD)}
    app = create_provider_app(passwords, users, PublicClient("course-client", [REDIRECT]))
    with serve_locally(app) as provider:

        def exchange(callback: str, start: LoginStart) -> dict:
            return finish_login(provider, "course-client", REDIRECT, callback, start)

        start = start_login(provider, "course-client", REDIRECT)
        query = parse_qs(urlsplit(start.url).query)
        challenge = query["code_challenge"][0]
        print(f"1. The browser goes to {provider}/authorize with state={start.state[:8]}...")
        print(f"   and code_challenge={challenge[:12]}... ({query['code_challenge_method'][0]})")
        callback = approve(start.url).headers["Location"]
        print(f"2. The provider sends it back: {callback[:60]}...")
        identity = exchange(callback, start)
        print("3. The client exchanges the code and verifies the ID token (signature from the")
        print(f"   provider's JWKS, iss, aud, exp, nonce): sub={identity['sub']!r},")
        same = identity["nonce"] == start.nonce
        print(f"   aud={identity['aud']}, nonce is this login's: {same}")
        fresh_start = start_login(provider, "course-client", REDIRECT)
        fresh = approve(fresh_start.url).headers["Location"]
        code = parse_qs(urlsplit(fresh).query)["code"][0]
        forged = f"{REDIRECT}?code={code}&state=attacker"
        stolen = LoginStart(fresh_start.url, fresh_start.state, "x" * 64)
        print("4. Attacks:")
        print(f"   a forged state:              {refused(lambda: exchange(forged, fresh_start))}")
        print(f"   a code without its verifier: {refused(lambda: exchange(fresh, stolen))}")
        print(f"   the first code again:        {refused(lambda: exchange(callback, start))}")
        evil = start_login(provider, "course-client", "https://evil.example/cb")
        answer = requests.get(evil.url, allow_redirects=False, timeout=5)
        print(f"   an unregistered redirect:    {answer.status_code} {answer.json()}, no redirect")
        print(f"   another login's ID token:    {refused(lambda: replay(provider, start))}")
        document = discover(provider)  # what a client reads first, from the issuer alone
        print(f"5. The discovery document ({provider}/.well-known/openid-configuration):")
        print(f"   issuer={document['issuer']}, jwks_uri={document['jwks_uri']},")
        algorithms = document["id_token_signing_alg_values_supported"]
        print(f"   id_token_signing_alg_values_supported={algorithms}")
        token = raw_id_token(provider)
        print(f"   An ID token, to paste into a decoder: {token}")
        print(f"   its header: {jwt.get_unverified_header(token)}")
    print("Conclusion: state ties the callback to this browser, PKCE ties the code to this")
    print("client, a code works once, the provider redirects only to registered URIs, and")
    print("the ID token counts only when its signature, issuer, audience, expiry and nonce hold.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    run_main(main)
