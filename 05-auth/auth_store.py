"""The lesson's own user store on PostgreSQL: users, password-reset tokens and orders.

A user row holds an Argon2id hash (never the password), a role for authorization and, once
enrolled, a TOTP secret. A reset token is stored as its SHA-256 digest: a database leak gives
no usable token. Orders exist so that authorization has objects to protect (a customer reads
only their own).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, String, create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    """The lesson's tables."""


class User(Base):
    """An account: the email is its login name, stored lower-cased."""

    __tablename__ = "auth_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="customer")
    # encrypted with auth_crypto (Fernet): a stolen table gives no second factors
    totp_secret: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ResetToken(Base):
    """A single-use password-reset token, kept as a digest with its expiry."""

    __tablename__ = "auth_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("auth_users.id", ondelete="CASCADE"))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class RecoveryCode(Base):
    """An MFA recovery code, kept as an Argon2id hash, usable once."""

    __tablename__ = "auth_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("auth_users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class Order(Base):
    """Something a user owns, for the object-level authorization checks."""

    __tablename__ = "auth_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("auth_users.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(100))


def make_engine(database_url: str) -> Engine:
    """Create an engine for the user store (connections open on first use)."""
    return create_engine(database_url, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    """Create the lesson's tables if they do not exist."""
    Base.metadata.create_all(engine)


def normalise_email(email: str) -> str:
    """Return the form an email is stored and looked up in."""
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    """Return the user with this email, or None."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def add_user(session: Session, email: str, password_hash: str, role: str = "customer") -> User:
    """Insert a user (the caller hashes the password and commits)."""
    user = User(email=normalise_email(email), password_hash=password_hash, role=role)
    session.add(user)
    session.flush()
    return user


def utc_now() -> datetime:
    """Return the current time as a naive UTC datetime (the columns are UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)
