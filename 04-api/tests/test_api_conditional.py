"""ETags: If-None-Match saves a download (304), If-Match prevents a lost update (412, 428)."""

from __future__ import annotations

from api_samples import SAMPLE_BOOK


def test_if_none_match_with_the_current_etag_is_a_304_without_body(api, book):
    response = api.get(f"/api/v1/books/{book['id']}", headers={"If-None-Match": '"1"'})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == '"1"'


def test_if_none_match_with_an_old_etag_gets_the_new_body(api, book):
    url = f"/api/v1/books/{book['id']}"
    api.put(url, json=SAMPLE_BOOK | {"price_cents": 1}, headers={"If-Match": '"1"'})
    response = api.get(url, headers={"If-None-Match": '"1"'})
    assert response.status_code == 200
    assert response.json()["price_cents"] == 1


def test_if_none_match_compares_weakly(api, book):
    response = api.get(f"/api/v1/books/{book['id']}", headers={"If-None-Match": 'W/"1", "7"'})
    assert response.status_code == 304


def test_a_put_without_if_match_is_a_428_problem_and_changes_nothing(api, book):
    url = f"/api/v1/books/{book['id']}"
    response = api.put(url, json=SAMPLE_BOOK | {"price_cents": 1})
    assert response.status_code == 428
    assert response.headers["content-type"] == "application/problem+json"
    assert api.get(url).json() == book


def test_the_second_of_two_writers_with_the_same_etag_gets_412(api, book):
    url = f"/api/v1/books/{book['id']}"
    first = api.put(url, json=SAMPLE_BOOK | {"price_cents": 1}, headers={"If-Match": '"1"'})
    second = api.put(url, json=SAMPLE_BOOK | {"price_cents": 2}, headers={"If-Match": '"1"'})
    assert first.status_code == 200
    assert second.status_code == 412
    assert second.json()["type"].endswith("/stale")
    assert api.get(url).json()["price_cents"] == 1  # the first write was not lost


def test_a_weak_etag_never_satisfies_if_match(api, book):
    url = f"/api/v1/books/{book['id']}"
    response = api.put(url, json=SAMPLE_BOOK, headers={"If-Match": 'W/"1"'})
    assert response.status_code == 412


def test_if_match_star_accepts_any_version(api, book):
    url = f"/api/v1/books/{book['id']}"
    response = api.put(url, json=SAMPLE_BOOK | {"year": 1966}, headers={"If-Match": "*"})
    assert response.status_code == 200


def test_if_match_on_a_missing_book_is_a_404(api):
    response = api.put("/api/v1/books/424242", json=SAMPLE_BOOK, headers={"If-Match": '"1"'})
    assert response.status_code == 404


def test_a_delete_with_a_stale_etag_is_a_412_and_keeps_the_book(api, book):
    url = f"/api/v1/books/{book['id']}"
    assert api.delete(url).status_code == 428
    assert api.delete(url, headers={"If-Match": '"9"'}).status_code == 412
    assert api.get(url).status_code == 200


def test_an_invalid_body_is_a_422_even_without_if_match(api, book):
    # both apps validate the body before the precondition, so the answers match
    response = api.put(f"/api/v1/books/{book['id']}", json={"title": ""})
    assert response.status_code == 422
