"""The books resource as plain functions: what both apps call, with the session passed in.

No framework here: Flask and FastAPI differ in how a request arrives and a response leaves,
not in what the API does, so that lives once, in functions that take `session=`.
"""

from __future__ import annotations

import logging
from typing import Any

from api_models import Book
from api_problems import ApiProblem
from api_schemas import BookIn, BookOut
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

MAX_BOOK_ID = 2**31 - 1  # the id column is PostgreSQL's `integer`: a larger id names no book


def no_such_book(book_id: int) -> ApiProblem:
    """The 404 problem for a book that does not exist."""
    return ApiProblem(404, f"there is no book {book_id}", slug="not-found")


def existing_id(book_id: int) -> int:
    """The id, if a book could have it; else the 404 (PostgreSQL would refuse it as a 500)."""
    if not 1 <= book_id <= MAX_BOOK_ID:
        raise no_such_book(book_id)
    return book_id


def book_document(book: Book) -> dict[str, Any]:
    """The JSON-ready representation of a book (what GET returns)."""
    return BookOut.model_validate(book).model_dump(mode="json")


def book_location(book_id: int) -> str:
    """The URL of one book, for `Location` and links."""
    return f"/api/v1/books/{book_id}"


def get_book(book_id: int, *, session: Session) -> Book:
    """The book with this id, or a 404 problem."""
    book = session.get(Book, existing_id(book_id))
    if book is None:
        raise no_such_book(book_id)
    return book


def create_book(payload: BookIn, *, session: Session) -> Book:
    """Insert a book (the caller commits)."""
    book = Book(**payload.model_dump(), version=1)
    session.add(book)
    session.flush()  # assigns the id and the server's created_at
    session.refresh(book)
    logger.info("created book %d", book.id)
    return book


def replace_book(
    book_id: int, payload: BookIn, versions: list[int] | None, *, session: Session
) -> Book:
    """Replace a book if its version is one the client named (None: any); 404 or 412 if not."""
    statement = (
        update(Book)
        .where(Book.id == existing_id(book_id))
        .values(**payload.model_dump(), version=Book.version + 1)
        .returning(Book)
    )
    if versions is not None:
        # the check and the write are one statement: no other writer can slip in between
        statement = statement.where(Book.version.in_(versions))
    book = session.scalars(statement.execution_options(synchronize_session=False)).first()
    if book is None:
        raise missing_or_changed(book_id, session=session)
    return book


def delete_book(book_id: int, versions: list[int] | None, *, session: Session) -> None:
    """Delete a book if its version is one the client named (None: any); 404 or 412 if not."""
    statement = delete(Book).where(Book.id == existing_id(book_id))
    if versions is not None:
        statement = statement.where(Book.version.in_(versions))
    if session.execute(statement).rowcount == 0:
        raise missing_or_changed(book_id, session=session)


def missing_or_changed(book_id: int, *, session: Session) -> ApiProblem:
    """The problem for a conditional write that matched no row: 404, or 412 if it changed."""
    if session.get(Book, book_id) is None:
        return no_such_book(book_id)
    return ApiProblem(
        412,
        "the book changed since you read it: GET it again, then retry with its new ETag",
        slug="stale",
    )


def count_books(*, session: Session) -> int:
    """How many books there are (the tests' proof that bad input changed nothing)."""
    return session.scalar(select(func.count()).select_from(Book)) or 0
