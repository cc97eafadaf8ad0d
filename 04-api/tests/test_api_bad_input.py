"""Bad input, the same for both apps: a 4xx problem (never a 500), and nothing changes."""

from __future__ import annotations

import base64
import json

import pytest
from api_books import count_books
from api_samples import SAMPLE_BOOK
from sqlalchemy.orm import Session


def books_in(engine) -> int:
    with Session(engine) as session:
        return count_books(session=session)


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    return problem


def test_malformed_json_is_a_400_problem(api, engine):
    response = api.post(
        "/api/v1/books", content=b'{"title": "Dune",', headers={"Content-Type": "application/json"}
    )
    assert assert_problem(response, 400)["type"].endswith("/malformed-json")
    assert books_in(engine) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("year", "1965"),  # a string where a number belongs: no silent conversion
        ("year", 3000),
        ("price_cents", -1),
        ("price_cents", 12.5),
        ("title", ""),
        ("title", None),
        ("author", "x" * 101),
    ],
)
def test_a_wrong_value_is_a_422_problem_that_points_at_the_field(api, engine, field, value):
    response = api.post("/api/v1/books", json=SAMPLE_BOOK | {field: value})
    problem = assert_problem(response, 422)
    assert [error["pointer"] for error in problem["errors"]] == [f"#/{field}"]
    assert books_in(engine) == 0


def test_a_missing_field_is_a_422_problem(api, engine):
    incomplete = {key: value for key, value in SAMPLE_BOOK.items() if key != "author"}
    problem = assert_problem(api.post("/api/v1/books", json=incomplete), 422)
    assert problem["errors"][0]["pointer"] == "#/author"
    assert books_in(engine) == 0


def test_pointers_escape_slash_and_tilde_and_keep_a_field_named_like_a_location(api):
    # RFC 6901: "/" in a key is "~1", "~" is "~0"; only loc[0] ("body") is not in the body
    odd = SAMPLE_BOOK | {"a/b": 1, "c~d": 2, "query": 3, "body": 4}
    problem = assert_problem(api.post("/api/v1/books", json=odd), 422)
    pointers = sorted(error["pointer"] for error in problem["errors"])
    assert pointers == ["#/a~1b", "#/body", "#/c~0d", "#/query"]
    assert "query: Extra inputs" in problem["detail"]


def test_an_unknown_field_is_a_422_problem(api, engine):
    response = api.post("/api/v1/books", json=SAMPLE_BOOK | {"discount": 50})
    assert assert_problem(response, 422)["errors"][0]["pointer"] == "#/discount"
    assert books_in(engine) == 0


def test_a_body_that_is_not_an_object_is_a_422_problem(api, engine):
    assert_problem(api.post("/api/v1/books", json=["Dune"]), 422)
    assert books_in(engine) == 0


def test_a_body_that_is_not_json_is_a_415_problem(api, engine):
    response = api.post(
        "/api/v1/books", content=b"title=Dune", headers={"Content-Type": "text/plain"}
    )
    assert_problem(response, 415)
    assert books_in(engine) == 0


def test_a_huge_body_is_a_413_problem(make_client, engine):
    api = make_client(max_body_bytes=1024)
    huge = SAMPLE_BOOK | {"title": "x" * 2000}
    assert_problem(api.post("/api/v1/books", json=huge), 413)
    assert books_in(engine) == 0


def test_a_huge_streamed_body_without_a_length_is_a_413_problem(make_client, engine, framework):
    if framework == "flask":
        pytest.skip(
            "in-process, httpx2's WSGI transport does not mark a chunked body as terminated, so"
            " Werkzeug reads it as empty; test_api_servers.py sends it to a real Flask server"
        )
    api = make_client(max_body_bytes=1024)

    def chunks():  # a generator body goes out chunked, with no Content-Length to check
        yield b'{"title": "'
        yield b"x" * 4000
        yield b'", "author": "A", "year": 2000, "price_cents": 1}'

    response = api.post(
        "/api/v1/books", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413)
    assert books_in(engine) == 0


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "limit=ten", "offset=-1", "sort=password", "sort=title;drop",
     "colour=red", "year_min=abc", "cursor=not-a-cursor", "offset=0&cursor=abc"],
)  # fmt: skip
def test_invalid_list_parameters_are_a_400_problem(api, query):
    assert_problem(api.get(f"/api/v1/books?{query}"), 400)


def edited_cursor(position: dict) -> str:
    """A cursor as a client could forge it: base64 of JSON the API never issued."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "position",
    [{"sort": "year", "value": "abc", "id": 1}, {"sort": "year", "value": [1, 2], "id": 1},
     {"sort": "title", "value": 5, "id": 1}, {"sort": "price_cents", "value": None, "id": 1},
     {"sort": "year", "value": True, "id": 1}, {"sort": "-title", "value": {}, "id": 1}],
)  # fmt: skip
def test_an_edited_cursor_is_a_400_problem(api, book, position):
    response = api.get(f"/api/v1/books?sort={position['sort']}&cursor={edited_cursor(position)}")
    assert assert_problem(response, 400)["type"].endswith("/bad-cursor")


def test_a_stopped_database_gives_503_problems_not_a_hang(make_client):
    # a port nothing listens on: what a stopped database looks like to the app
    api = make_client(database_url="postgresql+psycopg://course:course@127.0.0.1:9/course")
    problem = assert_problem(api.get("/api/v1/books"), 503)
    assert "psycopg" not in problem.get("detail", "") and "127.0.0.1" not in str(problem)
    ready = assert_problem(api.get("/ready"), 503)
    assert ready["checks"] == {"database": "unavailable", "redis": "ok"}
