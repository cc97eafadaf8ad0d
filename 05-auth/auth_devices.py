"""Device cookies: the browser a user logged in with before gets through a lock an attacker set.

A per-account lock lets anyone lock a victim out: a few wrong guesses with her address, again
each time the lock ends. OWASP's "Slow Down Online Guessing Attacks with Device Cookies" splits
the attempts in two. A browser that logged in to the account before holds a signed cookie
naming the account (its user id) and a random nonce: its failures are counted against that
device alone, and the per-IP limit does not refuse it. Every other attempt (an untrusted
client: the attacker, or the victim on a new device) shares the account's counter and lock.
A password change or reset and "log out everywhere" start a new generation of the account's
cookies, so a stolen laptop's cookie stops counting apart once the owner acts.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from flask import Flask, Response, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

DEVICE_COOKIE_MAX_LENGTH = 300  # longer is not ours: refused before any signature check


@dataclass(frozen=True)
class DeviceCookies:
    """Issue and check device cookies, signed with the app's secret key."""

    secret_key: str
    max_age_seconds: int = 90 * 24 * 60 * 60

    def _serializer(self) -> URLSafeTimedSerializer:
        # the salt keeps these signatures apart from every other use of the same secret key;
        # HMAC-SHA256, not itsdangerous's default HMAC-SHA1 (ASVS 4.0.3 6.2.5)
        signer = {"digest_method": hashlib.sha256}
        return URLSafeTimedSerializer(
            self.secret_key, salt="auth-device-cookie", signer_kwargs=signer
        )

    def issue(self, user_id: int, generation: int = 0) -> str:
        """Return a new device cookie for the user (a fresh nonce every login)."""
        payload = {"user": user_id, "generation": generation, "nonce": secrets.token_urlsafe(16)}
        return self._serializer().dumps(payload)

    def device_for(
        self, user_id: int | None, cookie: str | None, generation: int = 0
    ) -> str | None:
        """Return the nonce if `cookie` is a valid device cookie for this user, else None."""
        if user_id is None or not cookie or len(cookie) > DEVICE_COOKIE_MAX_LENGTH:
            return None
        try:  # an expired signature is a BadSignature too
            data = self._serializer().loads(cookie, max_age=self.max_age_seconds)
        except BadSignature:
            return None
        if not isinstance(data, dict) or data.get("user") != user_id:
            return None  # another account's cookie: the attacker's own, worth nothing here
        if data.get("generation") != generation:
            return None  # from before a password change, a reset or "log out everywhere"
        nonce = data.get("nonce")
        return nonce if isinstance(nonce, str) else None


def device_cookie_name(app: Flask) -> str:
    """Return the device cookie's name: `__Host-`, like the session's, when cookies are Secure."""
    return "__Host-device" if app.config["SESSION_COOKIE_SECURE"] else "device"


def generation_key(app: Flask, user_id: int) -> str:
    """Return the Redis key of the user's device-cookie generation (none yet: generation 0)."""
    return f"{app.extensions['auth']['settings'].redis_prefix}device-generation:{user_id}"


def device_generation(app: Flask, user_id: int) -> int:
    """Return the user's current device-cookie generation."""
    return int(app.extensions["auth"]["redis"].get(generation_key(app, user_id)) or 0)


def known_device(app: Flask, user_id: int | None) -> str | None:
    """Return the nonce of this request's device cookie if it is valid for the user."""
    if user_id is None:
        return None  # no such account: every client is untrusted
    cookie = request.cookies.get(device_cookie_name(app))
    devices: DeviceCookies = app.extensions["auth"]["devices"]
    return devices.device_for(user_id, cookie, device_generation(app, user_id))


def remember_device(response: Response, app: Flask, user_id: int) -> None:
    """Give this browser a new device cookie for the user (OWASP: at every login)."""
    devices: DeviceCookies = app.extensions["auth"]["devices"]
    response.set_cookie(
        device_cookie_name(app),
        devices.issue(user_id, device_generation(app, user_id)),
        max_age=devices.max_age_seconds,
        secure=app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",  # only ever sent to this site's own login form
    )
