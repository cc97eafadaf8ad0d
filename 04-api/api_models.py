"""The API's tables: books, and the idempotency keys that make a retried POST safe.

The lesson builds its schema with `Base.metadata.create_all`, not with migrations: it has two
tables that never change shape, and 01-database already teaches Alembic. A real service that
evolves its schema would keep an Alembic folder beside these models, as 01-database does.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    create_engine,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

logger = logging.getLogger(__name__)


class Base(DeclarativeBase):
    pass


class Book(Base):
    """A book in the shop's catalogue; `version` grows by one at every change (the ETag)."""

    __tablename__ = "books"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("year BETWEEN 1450 AND 2100", name="year_plausible"),
        # keyset paging reads a page straight off an index only if one matches its ORDER BY
        # exactly, the id included (read backwards for a descending sort); without these, a
        # page of sort=year sorts the whole table, however deep it is
        Index("books_year_id", "year", "id"),
        Index("books_title_id", "title", "id"),
        Index("books_price_cents_id", "price_cents", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100), index=True)
    year: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IdempotencyKey(Base):
    """The first response to a POST with an `Idempotency-Key`, replayed to every retry."""

    __tablename__ = "idempotency_keys"

    # scoped by client identity (here the peer address, a stand-in: a real API scopes keys by
    # the authenticated account, since users behind one proxy share an address)
    client: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[dict | None] = mapped_column(JSONB)
    location: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def make_engine(database_url: str) -> Engine:
    """An engine that gives up on an unreachable database in seconds instead of hanging."""
    return create_engine(
        database_url,
        pool_pre_ping=True,  # a connection the server dropped is replaced, not handed out
        pool_timeout=5,  # waiting for a free connection is bounded too
        connect_args={"connect_timeout": 3},
    )


def create_schema(engine: Engine) -> None:
    """Create the lesson's tables if they do not exist yet."""
    Base.metadata.create_all(engine)
