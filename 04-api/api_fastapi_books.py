"""Version 1 of the books resource as a FastAPI router: the same routes as the blueprint.

`Depends` hands each endpoint its session and resources; the pydantic models in the
signatures are the validation and, in `/openapi.json`, the schema. The endpoints are plain
`def`: their database calls block, so FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from api_books import (
    MAX_BOOK_ID,
    book_document,
    book_location,
    create_book,
    delete_book,
    get_book,
    replace_book,
)
from api_conditional import cache_headers, etag_of, not_modified, required_versions
from api_files import remove_covers
from api_idempotency import StoredResponse, fingerprint, parse_key, respond_once
from api_paging import list_books
from api_problems import ApiProblem
from api_resources import Resources
from api_schemas import BookIn, BookOut, BookPage, BookQuery
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session


def get_resources(request: Request) -> Resources:
    """The app's resources, made once by `create_app`."""
    return request.app.state.resources


def get_session(resources: Annotated[Resources, Depends(get_resources)]) -> Iterator[Session]:
    """A session for one request, closed (and rolled back if uncommitted) after it."""
    with resources.sessions() as session:
        yield session


def client_id(request: Request) -> str:
    """Who is calling: the peer's address (behind a proxy, the proxy's trusted header)."""
    return request.client.host if request.client else "unknown"


def require_json(content_type: Annotated[str | None, Header()] = None) -> None:
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise ApiProblem(415, "send the body as application/json", slug="unsupported-media-type")


SessionDep = Annotated[Session, Depends(get_session)]
ResourcesDep = Annotated[Resources, Depends(get_resources)]
# the schema states the id's range; outside it, the path names no book: 404, as in Flask
BookId = Annotated[int, Path(ge=1, le=MAX_BOOK_ID)]
# the rate limit is `api_fastapi.RateLimit`, a middleware: it must run before the body is read
router = APIRouter(tags=["books"])


def book_response(book_json: dict, status: int = 200, **headers: str) -> JSONResponse:
    """A book as JSON, with its ETag."""
    headers = {"ETag": etag_of(book_json["version"]), "Cache-Control": "no-cache", **headers}
    return JSONResponse(book_json, status, headers=headers)


@router.get("/books", response_model=BookPage)
@router.head("/books", include_in_schema=False)  # HEAD too (RFC 9110, 9.1), as in Flask
def list_books_endpoint(
    query: Annotated[BookQuery, Query()], session: SessionDep, response: Response
) -> dict:
    books, links = list_books(query, session=session)
    response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    return {"items": [book_document(book) for book in books], "links": links}


@router.post("/books", status_code=201, response_model=BookOut,
             dependencies=[Depends(require_json)])  # fmt: skip
def create_book_endpoint(
    payload: BookIn,
    request: Request,
    session: SessionDep,
    resources: ResourcesDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    def create() -> StoredResponse:
        book = create_book(payload, session=session)
        return StoredResponse(201, book_document(book), book_location(book.id))

    key = parse_key(idempotency_key)
    if key is None:
        stored = create()
    else:
        digest = fingerprint("POST", request.url.path, payload.model_dump())
        stored = respond_once(
            client_id(request),
            key,
            digest,
            create,
            session=session,
            wait_ms=resources.settings.key_wait_ms,
        )
    session.commit()
    headers = {"Location": stored.location or ""}
    if stored.replayed:
        headers["Idempotent-Replayed"] = "true"
    return book_response(stored.body, stored.status, **headers)


@router.get("/books/{book_id}", response_model=BookOut)
@router.head("/books/{book_id}", include_in_schema=False)  # the server drops the body
def read_book_endpoint(
    book_id: BookId, session: SessionDep, if_none_match: Annotated[str | None, Header()] = None
) -> Response:
    book = get_book(book_id, session=session)
    if not_modified(if_none_match, book.version):
        return Response(status_code=304, headers=cache_headers(book.version))
    return book_response(book_document(book))


@router.put("/books/{book_id}", response_model=BookOut, dependencies=[Depends(require_json)])
def replace_book_endpoint(
    book_id: BookId,
    payload: BookIn,
    session: SessionDep,
    if_match: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    versions = required_versions(if_match)
    book = replace_book(book_id, payload, versions, session=session)
    session.commit()
    return book_response(book_document(book))


@router.delete("/books/{book_id}", status_code=204)
def delete_book_endpoint(
    book_id: BookId,
    session: SessionDep,
    resources: ResourcesDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    delete_book(book_id, required_versions(if_match), session=session)
    session.commit()
    remove_covers(resources.settings.covers_dir, book_id)
    return Response(status_code=204)
