"""A password policy of length over composition, with a list of common passwords.

Write `password_problem(password, email, common)`. A sign-up form calls it with the new
password, the user's email and a set of common passwords (lower-cased). It returns `None`
when the password is acceptable, or one short sentence saying what is wrong:

- fewer than 12 characters, or more than 128 (the upper bound keeps the hash input bounded);
- on the common list, compared case-insensitively ("Password123" is as bad as "password123");
- the email address itself, or the part before the "@".

No composition rules: "correct horse battery staple" is fine; "P@ssw0rd!" is not (too short).
Count characters after Unicode NFKC normalisation, as `auth_passwords.check_policy` does.

Check your work with `.venv/bin/course check 05 ex01`; a hint: `.venv/bin/course hint 05 ex01`.
"""

from __future__ import annotations


def password_problem(password: str, email: str, common: set[str]) -> str | None:
    """Return what is wrong with the password, or None if the policy accepts it."""
    # TODO: normalise (unicodedata.normalize("NFKC", ...)), then check length, the common
    # list (case-insensitively) and the email; return a sentence for the first problem
    raise NotImplementedError("TODO: check the password against the policy")
