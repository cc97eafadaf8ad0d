"""Device cookies: the browser a user logged in with before gets through a lock an attacker set.

A per-account lock lets anyone lock a victim out: a few wrong guesses with her address, again
each time the lock ends. OWASP's "Slow Down Online Guessing Attacks with Device Cookies" splits
the attempts in two. A browser that logged in to the account before holds a signed cookie
naming the account and a random nonce: its failures are counted against that device alone.
Every other attempt (an untrusted client: the attacker, or the victim on a new device) shares
the account's counter and lock. An attacker can lock out untrusted clients only; the
victim's own browser still logs in, and a stolen device cookie gives its thief a few guesses.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from auth_audit import email_digest
from flask import Flask, Response, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

DEVICE_COOKIE_MAX_LENGTH = 300  # longer is not ours: refused before any signature check


@dataclass(frozen=True)
class DeviceCookies:
    """Issue and check device cookies, signed with the app's secret key."""

    secret_key: str
    max_age_seconds: int = 90 * 24 * 60 * 60

    def _serializer(self) -> URLSafeTimedSerializer:
        # the salt keeps these signatures apart from every other use of the same secret key
        return URLSafeTimedSerializer(self.secret_key, salt="auth-device-cookie")

    def issue(self, email: str) -> str:
        """Return a new device cookie for the account `email` (a fresh nonce every login)."""
        return self._serializer().dumps(
            {"account": email_digest(email), "nonce": secrets.token_urlsafe(16)}
        )

    def device_for(self, email: str, cookie: str | None) -> str | None:
        """Return the device's nonce if `cookie` is a valid device cookie for `email`, else None."""
        if not cookie or len(cookie) > DEVICE_COOKIE_MAX_LENGTH:
            return None
        try:  # an expired signature is a BadSignature too
            data = self._serializer().loads(cookie, max_age=self.max_age_seconds)
        except BadSignature:
            return None
        if not isinstance(data, dict) or data.get("account") != email_digest(email):
            return None  # another account's cookie: the attacker's own, worth nothing here
        nonce = data.get("nonce")
        return nonce if isinstance(nonce, str) else None


def device_cookie_name(app: Flask) -> str:
    """Return the device cookie's name: `__Host-`, like the session's, when cookies are Secure."""
    return "__Host-device" if app.config["SESSION_COOKIE_SECURE"] else "device"


def known_device(app: Flask, email: str) -> str | None:
    """Return the nonce of this request's device cookie if it is valid for `email`."""
    cookie = request.cookies.get(device_cookie_name(app))
    return app.extensions["auth"]["devices"].device_for(email, cookie)


def remember_device(response: Response, app: Flask, email: str) -> None:
    """Give this browser a new device cookie for the account (OWASP: at every login)."""
    devices: DeviceCookies = app.extensions["auth"]["devices"]
    response.set_cookie(
        device_cookie_name(app),
        devices.issue(email),
        max_age=devices.max_age_seconds,
        secure=app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",  # only ever sent to this site's own login form
    )
