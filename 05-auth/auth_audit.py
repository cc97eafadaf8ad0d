"""The audit log of authentication events: who, what, when, from where; never a secret.

Each event is one JSON line on the `auth.audit` logger: login success and failure, lockout,
logout, password change and reset, token refresh and reuse. Only the fields listed below are
accepted, so a password or a token cannot slip in through a careless keyword argument, and an
email is logged as a short digest, which links events without storing the address.
"""

from __future__ import annotations

import hashlib
import json
import logging

audit_logger = logging.getLogger("auth.audit")

EVENTS = frozenset(
    {
        "register", "login_success", "login_failure", "login_locked", "logout",
        "logout_everywhere", "password_change", "reset_requested", "reset_done",
        "reset_refused", "token_issued", "token_refused", "refresh_reuse", "mfa_failure",
        "access_denied", "bad_request",
    }
)  # fmt: skip
FIELDS = frozenset({"user_id", "email", "ip", "reason", "family", "path"})


def email_digest(email: str) -> str:
    """Return a short digest of an email: the same for one address, not reversible by reading."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


def audit(event: str, **fields: object) -> None:
    """Log one authentication event; refuse unknown events and fields not on the allow-list."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValueError(f"audit fields {sorted(unknown)} are not allowed (secrets never are)")
    if "email" in fields:
        fields["email"] = email_digest(str(fields["email"]))
    audit_logger.info(json.dumps({"event": event, **fields}, sort_keys=True))
