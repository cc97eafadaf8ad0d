"""Pagination with links, filtering and sorting from an allow-list, in both apps."""

from __future__ import annotations

import pytest
from api_samples import SAMPLE_BOOKS
from sqlalchemy import text


@pytest.fixture
def shelf(api) -> list[dict]:
    """The seven sample books, created through the API."""
    return [api.post("/api/v1/books", json=book).json() for book in SAMPLE_BOOKS]


def follow(api, url: str) -> list[list[str]]:
    """The titles of every page, following `next` links from `url`."""
    pages = []
    while url:
        body = api.get(url).json()
        pages.append([book["title"] for book in body["items"]])
        url = body["links"].get("next")
    return pages


def test_cursor_pages_follow_next_links_to_the_end_without_repeats(api, shelf):
    pages = follow(api, "/api/v1/books?limit=3")
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [title for page in pages for title in page] == [book["title"] for book in shelf]


def test_offset_pages_have_next_and_prev_links(api, shelf):
    body = api.get("/api/v1/books?limit=3&offset=3").json()
    assert [book["id"] for book in body["items"]] == [
        shelf[3]["id"],
        shelf[4]["id"],
        shelf[5]["id"],
    ]
    assert body["links"]["next"] == "/api/v1/books?sort=id&limit=3&offset=6"
    assert body["links"]["prev"] == "/api/v1/books?sort=id&limit=3&offset=0"


def test_the_last_page_has_no_next_link(api, shelf):
    body = api.get("/api/v1/books?limit=3&offset=6").json()
    assert len(body["items"]) == 1
    assert "next" not in body["links"]


def test_the_links_are_also_in_the_link_header(api, shelf):
    response = api.get("/api/v1/books?limit=3")
    next_url = response.json()["links"]["next"]
    assert f'<{next_url}>; rel="next"' in response.headers["Link"]


def test_sorting_by_an_allowed_key_descending(api, shelf):
    body = api.get("/api/v1/books?sort=-year&limit=3").json()
    assert [book["year"] for book in body["items"]] == [1993, 1984, 1979]


def test_a_cursor_keeps_its_sort_order_across_pages(api, shelf):
    pages = follow(api, "/api/v1/books?sort=price_cents&limit=2")
    titles = [title for page in pages for title in page]
    by_price = sorted(shelf, key=lambda book: (book["price_cents"], book["id"]))
    assert titles == [book["title"] for book in by_price]


def test_a_cursor_from_another_sort_order_is_refused(api, shelf):
    next_url = api.get("/api/v1/books?sort=year&limit=2").json()["links"]["next"]
    cursor = next_url.split("cursor=")[1]
    response = api.get(f"/api/v1/books?sort=title&cursor={cursor}")
    assert response.status_code == 400


def test_a_book_inserted_between_pages_does_not_repeat_a_row(api, shelf):
    first = api.get("/api/v1/books?sort=-id&limit=3").json()
    api.post("/api/v1/books", json=SAMPLE_BOOKS[0] | {"title": "Dune Messiah", "year": 1969})
    second = api.get(first["links"]["next"]).json()
    seen = {book["id"] for book in first["items"]}
    assert not seen & {book["id"] for book in second["items"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("author=Ursula K. Le Guin", {"The Left Hand of Darkness", "The Dispossessed"}),
        ("year_min=1980", {"Parable of the Sower", "Neuromancer"}),
        ("year_min=1960&year_max=1975", {"Dune", "The Left Hand of Darkness", "The Dispossessed"}),
        ("author=Nobody", set()),
    ],
)
def test_filters_from_the_allow_list(api, shelf, query, expected):
    body = api.get(f"/api/v1/books?{query}").json()
    assert {book["title"] for book in body["items"]} == expected


def test_filters_and_sort_are_kept_in_the_next_link(api, shelf):
    body = api.get("/api/v1/books?author=Octavia E. Butler&sort=-year&limit=1").json()
    assert body["items"][0]["title"] == "Parable of the Sower"
    following = api.get(body["links"]["next"]).json()
    assert [book["title"] for book in following["items"]] == ["Kindred"]


@pytest.mark.parametrize("sort", ["year", "-price_cents"])
def test_books_sharing_a_sort_value_are_paged_by_id_each_once(api, sort):
    # one year and one price for all: every page boundary falls inside a tie, broken by the id
    same = {"author": "Ann Tie", "year": 2001, "price_cents": 999}
    ids = [api.post("/api/v1/books", json={"title": f"Tie {n}", **same}).json()["id"]
           for n in range(7)]  # fmt: skip
    for book_id in ids[:3]:  # an UPDATE moves a row to the table's end: heap order is not id order
        moved = api.put(f"/api/v1/books/{book_id}", json={"title": f"Moved {book_id}", **same},
                        headers={"If-Match": '"1"'})  # fmt: skip
        assert moved.status_code == 200
    seen, url = [], f"/api/v1/books?sort={sort}&limit=2"
    while url:
        body = api.get(url).json()
        seen += [book["id"] for book in body["items"]]
        url = body["links"].get("next")
    assert seen == sorted(ids, reverse=sort.startswith("-"))


@pytest.mark.parametrize("sort", ["year", "-title", "price_cents"])
def test_every_sort_has_an_index_in_its_exact_order(engine, sort):
    # keyset paging costs the same at any depth only if an index matches the ORDER BY that
    # list_books sends, (column, id): with sequential scans off, the plan shows whether one does
    column, direction = sort.lstrip("-"), "DESC" if sort.startswith("-") else "ASC"
    order = f"ORDER BY {column} {direction}, id {direction} LIMIT 3"
    with engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        plan = connection.execute(text(f"EXPLAIN SELECT * FROM books {order}")).scalars().all()
    assert f"books_{column}_id" in plan[1], plan  # an Index Scan (Backward) on it, no Sort
