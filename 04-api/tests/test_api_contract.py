"""The API's specification: CRUD, status codes and headers, the same for Flask and FastAPI."""

from __future__ import annotations

from api_inprocess import open_client
from api_samples import SAMPLE_BOOK as BOOK


def test_create_returns_201_with_location_and_etag(api):
    response = api.post("/api/v1/books", json=BOOK)
    assert response.status_code == 201
    created = response.json()
    assert response.headers["Location"] == f"/api/v1/books/{created['id']}"
    assert response.headers["ETag"] == '"1"'
    assert {key: created[key] for key in BOOK} == BOOK


def test_a_created_book_can_be_read_back(api, book):
    response = api.get(f"/api/v1/books/{book['id']}")
    assert response.status_code == 200
    assert response.json() == book
    assert response.headers["content-type"].startswith("application/json")


def test_a_missing_book_is_a_404_problem(api):
    response = api.get("/api/v1/books/999999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404
    assert problem["title"] == "Not Found"
    assert problem["type"].endswith("/not-found")


def test_a_non_numeric_id_is_a_404_problem(api):
    response = api.get("/api/v1/books/abc")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_an_unknown_route_is_a_404_problem(api):
    response = api.get("/api/v1/authors")
    assert response.status_code == 404
    assert response.json()["type"] == "about:blank"


def test_a_method_the_resource_does_not_allow_is_a_405_problem(api, book):
    response = api.patch(f"/api/v1/books/{book['id']}", json=BOOK)
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    # RFC 9110 section 15.5.6: a 405 MUST list the methods the resource does support
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert {"GET", "PUT", "DELETE"} <= allowed
    assert "PATCH" not in allowed


def test_a_405_on_the_collection_lists_its_methods(api):
    response = api.delete("/api/v1/books")
    assert response.status_code == 405
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed
    assert "DELETE" not in allowed


def test_head_answers_like_get_without_a_body(api, book):
    for url in (f"/api/v1/books/{book['id']}", "/api/v1/books"):
        get, head = api.get(url), api.head(url)
        assert head.status_code == 200  # RFC 9110 section 9.1: every server supports HEAD
        assert head.content == b""
        for header in ("Content-Type", "ETag", "Link"):
            assert head.headers.get(header) == get.headers.get(header)


def test_fastapi_publishes_its_schema_without_head_duplicates(api_settings):
    client, close = open_client("fastapi", api_settings)
    paths = client.get("/openapi.json").json()["paths"]  # a duplicate operation id warns: an error
    client.close()
    close()
    assert set(paths["/api/v1/books/{book_id}"]) == {"get", "put", "delete"}


def test_options_lists_the_methods_of_the_resource(api, book):
    response = api.options(f"/api/v1/books/{book['id']}")  # no Origin: not a CORS preflight
    assert response.status_code == 200
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"} <= allowed


def test_put_replaces_the_book_and_bumps_its_etag(api, book):
    changed = BOOK | {"price_cents": 999}
    response = api.put(f"/api/v1/books/{book['id']}", json=changed, headers={"If-Match": '"1"'})
    assert response.status_code == 200
    assert response.json()["price_cents"] == 999
    assert response.json()["version"] == 2
    assert response.headers["ETag"] == '"2"'


def test_delete_returns_204_and_the_book_is_gone(api, book):
    response = api.delete(f"/api/v1/books/{book['id']}", headers={"If-Match": '"1"'})
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"/api/v1/books/{book['id']}").status_code == 404


def test_health_answers_without_touching_the_services(api):
    response = api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_reports_database_and_redis(api):
    response = api.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_an_unexpected_error_is_a_500_problem_that_leaks_nothing(api, framework, monkeypatch):
    import api_flask_books

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret connection string postgres://admin:hunter2@db")

    # both apps call the same function of api_books through their view modules
    monkeypatch.setattr(api_flask_books, "get_book", broken)
    monkeypatch.setattr("api_fastapi_books.get_book", broken)
    response = api.get("/api/v1/books/1")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "hunter2" not in response.text and "RuntimeError" not in response.text


def test_an_empty_json_body_is_a_400_problem(api):
    response = api.post("/api/v1/books", content=b"", headers={"Content-Type": "application/json"})
    assert response.status_code == 400  # no body is not JSON at all, as malformed JSON is not
    assert response.json()["type"].endswith("/malformed-json")


def test_a_book_says_revalidate_before_reuse_and_304_repeats_it(api, book):
    url = f"/api/v1/books/{book['id']}"
    response = api.get(url)
    # no-cache: a cache may store it but must ask (If-None-Match) every time (RFC 9111, 5.2.2.4)
    assert response.headers["Cache-Control"] == "no-cache"
    again = api.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "no-cache"
