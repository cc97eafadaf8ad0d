"""The bookshop API, one request at a time, in Flask and in FastAPI side by side.

Run `python 04-api/api_demo.py`. Both apps run in this process on a throwaway database; each
step sends the same request to both and prints what came back: statuses, headers and problem
details. Same contract, two frameworks, identical answers.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import replace

import httpx2
from api_inprocess import FRAMEWORKS, open_client
from api_models import create_schema, make_engine
from api_samples import SAMPLE_BOOK, SAMPLE_BOOKS
from api_settings import settings_from_course

import course
from course.sandbox import temporary_postgres_database, unique_name

JSON = "application/json"
BAD_INPUTS = [  # what a careless or hostile client sends, and what it gets back
    ("malformed JSON", {"content": b'{"title": "Dune",', "headers": {"Content-Type": JSON}}),
    ("a year as a string", {"json": SAMPLE_BOOK | {"year": "1965"}}),
    ("an unknown field", {"json": SAMPLE_BOOK | {"discount": 50}}),
    ("a text/plain body", {"content": b"Dune", "headers": {"Content-Type": "text/plain"}}),
]  # fmt: skip


def side_by_side(label: str, clients: dict[str, httpx2.Client], send) -> None:
    """Send the same request to both apps; print one line per app."""
    print(f"   {label}")
    for framework, client in clients.items():
        response = send(client)
        extra = ""
        if response.headers.get("content-type") == "application/problem+json":
            problem = response.json()
            extra = f" {problem['title']}: {problem.get('detail', '')}"
        print(f"     {framework:>7}: {response.status_code}{extra}")


def run_demo(clients: dict[str, httpx2.Client]) -> None:
    """The numbered steps, against both apps."""
    print("1. POST a book: 201 Created, with Location and ETag")
    for framework, client in clients.items():
        created = client.post("/api/v1/books", json=SAMPLE_BOOK)
        print(f"     {framework:>7}: {created.status_code} Location={created.headers['Location']}"
              f" ETag={created.headers['ETag']}")  # fmt: skip
    url = "/api/v1/books/1"
    print("2. Conditional requests")
    side_by_side("GET with If-None-Match: \"1\" (the copy is current)", clients,
                 lambda c: c.get(url, headers={"If-None-Match": '"1"'}))  # fmt: skip
    side_by_side("PUT without If-Match", clients, lambda c: c.put(url, json=SAMPLE_BOOK))
    for writer in ("first", "second"):
        side_by_side(f"PUT with If-Match: \"1\" ({writer} writer)", clients,
                     lambda c: c.put(url, json=SAMPLE_BOOK | {"price_cents": 999},
                                     headers={"If-Match": '"1"'}))  # fmt: skip
    print("3. The same POST sent twice with one Idempotency-Key")
    for framework, client in clients.items():
        ids = [client.post("/api/v1/books", json=SAMPLE_BOOKS[1],
                           headers={"Idempotency-Key": '"demo-1"'}).json()["id"]
               for _ in range(2)]  # fmt: skip
        print(f"     {framework:>7}: ids {ids}: one book, the retry replayed")
    print("4. Bad input: a problem response each, never a 500")
    for label, request in BAD_INPUTS:
        side_by_side(label, clients, lambda c, r=request: c.post("/api/v1/books", **r))
    side_by_side(
        "?limit=0&sort=password", clients, lambda c: c.get("/api/v1/books?limit=0&sort=password")
    )
    print("5. Pages of three, sorted by year, following the next links")
    for framework, client in clients.items():
        for book in SAMPLE_BOOKS[2:]:
            client.post("/api/v1/books", json=book)
        page, pages = client.get("/api/v1/books?sort=year&limit=3").json(), []
        while True:
            pages.append([book["year"] for book in page["items"]])
            if "next" not in page["links"]:
                break
            page = client.get(page["links"]["next"]).json()
        print(f"     {framework:>7}: {pages}")


def main() -> None:
    logging.basicConfig(level=logging.CRITICAL)  # the demo prints; the apps' logs stay quiet
    course.require("postgres", "redis")
    clients: dict[str, httpx2.Client] = {}
    limited: dict[str, httpx2.Client] = {}
    with ExitStack() as cleanup:
        for framework in FRAMEWORKS:  # each app its own database and Redis prefix
            url = cleanup.enter_context(
                temporary_postgres_database(course.get_settings(), prefix="api_demo")
            )
            engine = make_engine(url)
            create_schema(engine)
            engine.dispose()
            settings = replace(settings_from_course(), database_url=url,
                               redis_prefix=f"{unique_name('api_demo')}:")  # fmt: skip
            clients[framework], close = open_client(framework, settings)
            cleanup.callback(close)
            cleanup.callback(clients[framework].close)
            strict = replace(settings, rate_limit=3, redis_prefix=f"{unique_name('api_demo')}:")
            limited[framework], close = open_client(framework, strict)
            cleanup.callback(close)
            cleanup.callback(limited[framework].close)
        run_demo(clients)
        print("6. Four requests to an app limited to 3 a minute per client")
        for framework, client in limited.items():
            responses = [client.get("/api/v1/books?limit=1") for _ in range(4)]
            print(f"     {framework:>7}: {[response.status_code for response in responses]},"
                  f" Retry-After: {responses[-1].headers.get('Retry-After')} s")  # fmt: skip
    print("Conclusion: one contract, two frameworks; every error a problem, never a 500.")


if __name__ == "__main__":
    course.script_arguments()
    main()
