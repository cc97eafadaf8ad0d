"""Version 1 of the books resource as a Flask blueprint: the routes, and nothing but HTTP.

Each view parses the request, calls a function of `api_books` with the request's session,
and shapes the response; `api_flask.create_app` mounts the blueprint under `/api/v1`.
"""

from __future__ import annotations

from api_books import (
    book_document,
    book_location,
    create_book,
    delete_book,
    get_book,
    replace_book,
)
from api_conditional import cache_headers, not_modified, required_versions
from api_files import remove_covers
from api_idempotency import StoredResponse, fingerprint, parse_key, respond_once
from api_paging import list_books
from api_problems import ApiProblem, parse_json_body, parse_query
from api_resources import Resources
from api_schemas import BookIn, BookQuery
from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy.orm import Session

books_v1 = Blueprint("books_v1", __name__)


def resources() -> Resources:
    """The app's resources, made once by `create_app`."""
    return current_app.extensions["api"]


def db() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "session" not in g:
        g.session = resources().sessions()
    return g.session


def client_id() -> str:
    """Who is calling: the peer's address (behind a proxy, the proxy's trusted header)."""
    return request.remote_addr or "unknown"


@books_v1.before_request
def limit_rate() -> None:
    if request.method == "OPTIONS":
        return  # a preflight (or plain OPTIONS) carries no work; counting it halves the budget
    decision = resources().limiter.check(client_id())
    if not decision.allowed:
        raise ApiProblem(
            429,
            f"too many requests; retry in {decision.retry_after} s",
            slug="rate-limited",
            headers={"Retry-After": str(decision.retry_after)},
        )


def json_body(model: type[BookIn]) -> BookIn:
    """The request's JSON body, validated; 415 if it is not declared as JSON."""
    if request.mimetype != "application/json":
        raise ApiProblem(415, "send the body as application/json", slug="unsupported-media-type")
    raw, limit = request.get_data(), resources().settings.max_body_bytes
    if request.content_length is None and len(raw) >= limit:
        # a chunked body has no length to refuse up front: Werkzeug stops reading at the
        # limit and returns what it read, so a body that filled the limit was cut short
        raise ApiProblem(413, f"the body is over {limit} bytes", slug="too-large")
    return parse_json_body(model, raw)


def book_response(book_json: dict, status: int = 200, **headers: str) -> Response:
    """A book as JSON, with its ETag."""
    response = jsonify(book_json)
    response.status_code = status
    response.headers.update(cache_headers(book_json["version"]))
    response.headers.update(headers)
    return response


@books_v1.get("/books")
def list_books_view() -> Response:
    query = parse_query(BookQuery, request.args.to_dict())
    books, links = list_books(query, session=db())
    response = jsonify({"items": [book_document(book) for book in books], "links": links})
    response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    return response


@books_v1.post("/books")
def create_book_view() -> Response:
    payload = json_body(BookIn)
    session = db()

    def create() -> StoredResponse:
        book = create_book(payload, session=session)
        return StoredResponse(201, book_document(book), book_location(book.id))

    key = parse_key(request.headers.get("Idempotency-Key"))
    if key is None:
        stored = create()
    else:
        digest = fingerprint("POST", request.path, payload.model_dump())
        stored = respond_once(
            client_id(),
            key,
            digest,
            create,
            session=session,
            wait_ms=resources().settings.key_wait_ms,
        )
    session.commit()
    headers = {"Location": stored.location or ""}
    if stored.replayed:
        headers["Idempotent-Replayed"] = "true"
    return book_response(stored.body, stored.status, **headers)


@books_v1.get("/books/<int:book_id>")
def read_book_view(book_id: int) -> Response:
    book = get_book(book_id, session=db())
    if not_modified(request.headers.get("If-None-Match"), book.version):
        return Response(status=304, headers=cache_headers(book.version))
    return book_response(book_document(book))


@books_v1.put("/books/<int:book_id>")
def replace_book_view(book_id: int) -> Response:
    payload = json_body(BookIn)  # the body first, as FastAPI validates it before the endpoint
    versions = required_versions(request.headers.get("If-Match"))
    session = db()
    book = replace_book(book_id, payload, versions, session=session)
    session.commit()
    return book_response(book_document(book))


@books_v1.delete("/books/<int:book_id>")
def delete_book_view(book_id: int) -> Response:
    versions = required_versions(request.headers.get("If-Match"))
    session = db()
    delete_book(book_id, versions, session=session)
    session.commit()
    remove_covers(resources().settings.covers_dir, book_id)
    return Response(status=204)
