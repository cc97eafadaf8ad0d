"""A password policy of length over composition: the reference solution."""

from __future__ import annotations

import unicodedata


def password_problem(password: str, email: str, common: set[str]) -> str | None:
    """Return what is wrong with the password, or None if the policy accepts it."""
    password = unicodedata.normalize("NFKC", password)
    if len(password) < 12:
        return "use at least 12 characters"
    if len(password) > 128:
        return "use at most 128 characters"
    lowered = password.lower()
    if lowered in common:
        return "this password is on a list of common passwords"
    if lowered in (email.lower(), email.split("@")[0].lower()):
        return "do not use your email address as your password"
    return None
