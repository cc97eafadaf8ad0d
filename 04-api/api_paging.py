"""Pages of books: limit/offset and cursor (keyset) pagination, sorted from an allow-list.

A cursor is the sort value and id of the last book of a page, base64-encoded: the next page
starts right after it (`WHERE (year, id) > (1999, 42)`), so a deep page costs as little as
the first and a book inserted meanwhile neither repeats nor hides a row.
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import urlencode

from api_models import Book
from api_problems import ApiProblem
from api_schemas import BookQuery
from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session


def encode_cursor(sort: str, book: Book) -> str:
    """An opaque token for the position just after `book` in the `sort` order."""
    column = sort.lstrip("-")
    raw = json.dumps({"sort": sort, "value": getattr(book, column), "id": book.id})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[object, int]:
    """The (sort value, id) a cursor points after; a 400 problem if it is not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded))
        value, book_id = position["value"], int(position["id"])
        same_sort = position["sort"] == sort
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ApiProblem(400, "the cursor is not one this API issued", slug="bad-cursor") from None
    if not same_sort:
        raise ApiProblem(400, "the cursor belongs to another sort order", slug="bad-cursor")
    # an edited value would reach SQL as the wrong type: a database error, not the client's 400
    expected = str if sort.lstrip("-") == "title" else int
    if type(value) is not expected:  # `type`, not isinstance: True is an int to isinstance
        raise ApiProblem(400, "the cursor is not one this API issued", slug="bad-cursor")
    return value, book_id


def filtered(query: BookQuery) -> Select[tuple[Book]]:
    """SELECT books matching the query's filters (each one from the allow-list)."""
    statement = select(Book)
    if query.author is not None:
        statement = statement.where(Book.author == query.author)
    if query.year_min is not None:
        statement = statement.where(Book.year >= query.year_min)
    if query.year_max is not None:
        statement = statement.where(Book.year <= query.year_max)
    return statement


def list_books(query: BookQuery, *, session: Session) -> tuple[list[Book], dict[str, str]]:
    """One page of books and the relative links (`self`, `next`, `prev`) around it."""
    if query.offset is not None and query.cursor is not None:
        raise ApiProblem(400, "use either offset or cursor, not both", slug="bad-page")
    descending = query.sort.startswith("-")
    column = getattr(Book, query.sort.lstrip("-"))
    # the id breaks ties, so the order is total and a page boundary is never ambiguous
    order = (column.desc(), Book.id.desc()) if descending else (column.asc(), Book.id.asc())
    statement = filtered(query).order_by(*order).limit(query.limit + 1)  # +1: is there more?
    if query.cursor is not None:
        value, book_id = decode_cursor(query.cursor, query.sort)
        after = tuple_(column, Book.id)
        statement = statement.where(
            after < (value, book_id) if descending else after > (value, book_id)
        )
    elif query.offset is not None:
        statement = statement.offset(query.offset)
    books = list(session.scalars(statement))
    has_more = len(books) > query.limit
    books = books[: query.limit]
    return books, page_links(query, books, has_more)


def page_links(query: BookQuery, books: list[Book], has_more: bool) -> dict[str, str]:
    """The links a client follows: the same filters and sort, another position."""
    base = query.model_dump(exclude_none=True, exclude={"offset", "cursor"})
    links = {"self": link({**base, **position(query)})}
    if query.offset is not None:  # offset paging: numbered pages, both ways
        if has_more:
            links["next"] = link({**base, "offset": query.offset + query.limit})
        if query.offset > 0:
            links["prev"] = link({**base, "offset": max(query.offset - query.limit, 0)})
    elif has_more:  # cursor paging (the default): forward only, after the last book shown
        links["next"] = link({**base, "cursor": encode_cursor(query.sort, books[-1])})
    return links


def position(query: BookQuery) -> dict[str, object]:
    """The query's own offset or cursor, for its `self` link."""
    if query.offset is not None:
        return {"offset": query.offset}
    return {"cursor": query.cursor} if query.cursor else {}


def link(parameters: dict[str, object]) -> str:
    """A relative URL of the list endpoint with these query parameters."""
    return "/api/v1/books?" + urlencode(parameters)
