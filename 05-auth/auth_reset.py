"""Password-reset tokens: random, single-use, expiring, and stored only as a digest.

A reset link is a password for a quarter of an hour, so it gets the same care: 256 random bits
from `secrets`, a SHA-256 digest in the database (a leaked table gives no usable link; a fast
hash is enough for a random token, unlike for a password), an expiry, and one atomic UPDATE
that consumes it, so two clicks on the same link cannot both succeed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from auth_store import ResetToken, User, utc_now
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session


def token_digest(token: str) -> str:
    """Return the digest under which a reset token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_reset_token(session: Session, user: User, *, seconds: int) -> str:
    """Store a new reset token for `user` (replacing older ones) and return it, once."""
    token = secrets.token_urlsafe(32)
    forget_reset_tokens(session, user)  # a new link replaces any older one: only the latest works
    session.add(
        ResetToken(
            user_id=user.id,
            token_digest=token_digest(token),
            expires_at=utc_now() + timedelta(seconds=seconds),
        )
    )
    session.commit()
    return token


def forget_reset_tokens(session: Session, user: User) -> None:
    """Delete every reset link of a user (a new link, or a password change, replaces them)."""
    session.execute(delete(ResetToken).where(ResetToken.user_id == user.id))


def consume_reset_token(session: Session, token: str, *, now: datetime | None = None) -> int | None:
    """Mark the token used and return its user's id; None if unknown, used or expired."""
    now = now or utc_now()
    # one statement checks and consumes: a second use finds used_at set and matches no row
    user_id = session.scalar(
        update(ResetToken)
        .where(
            ResetToken.token_digest == token_digest(token),
            ResetToken.used_at.is_(None),
            ResetToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(ResetToken.user_id)
    )
    session.commit()
    return user_id


def reset_token_email(session: Session, token: str) -> str:
    """Return the email of a usable token's user, without consuming it ("" if none)."""
    email = session.scalar(
        select(User.email)
        .join(ResetToken, ResetToken.user_id == User.id)
        .where(
            ResetToken.token_digest == token_digest(token),
            ResetToken.used_at.is_(None),
            ResetToken.expires_at > utc_now(),
        )
    )
    return email or ""


def dummy_reset_work(session: Session) -> None:
    """Do the database round trips of a real reset request, for an address with no account."""
    session.execute(delete(ResetToken).where(ResetToken.user_id == -1))  # matches no row
    session.commit()
