"""The async twin of the list endpoint, and part 1's event-loop demo, mounted for the benchmark.

    GET /bench/books         the first page of `GET /api/v1/books`, in `async def` with async
                             SQLAlchemy: the same query and JSON, one event loop, no threads
    GET /loop/blocking       part 1's `api_async` app: `async def` with a sync driver (WRONG)
    GET /loop/threaded       ... plain `def`, in the thread pool (the fix that keeps the driver)
    GET /loop/async          ... `async def` with the async driver (the other fix)

Only with API_DEMO_ROUTES=1: `/loop/blocking` freezes a worker on purpose.
"""

from __future__ import annotations

from typing import Any

from api_async import create_demo_app
from api_books import book_document
from api_models import Book
from api_paging import filtered, page_links
from api_schemas import BookQuery
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

LOOP_QUERY_SECONDS = 0.02  # each /loop request holds a connection this long (pg_sleep)
POOL_SIZE = 20  # room for every concurrent request of the load generator


def add_async_routes(app: FastAPI, database_url: str) -> None:
    """Add `/bench/books` and mount part 1's `/loop/...` demo app (nothing connects yet)."""
    engine = create_async_engine(database_url, pool_size=POOL_SIZE)
    sessions = async_sessionmaker(engine, expire_on_commit=False, class_=AsyncSession)
    query = BookQuery()  # the defaults: the first page, by id

    @app.get("/bench/books")
    async def bench_books() -> dict[str, Any]:
        statement = filtered(query).order_by(Book.id).limit(query.limit + 1)
        async with sessions() as session:
            books = list(await session.scalars(statement))
        has_more = len(books) > query.limit
        books = books[: query.limit]
        return {
            "items": [book_document(book) for book in books],
            "links": page_links(query, books, has_more),
        }

    demo = create_demo_app(database_url, query_seconds=LOOP_QUERY_SECONDS, pool_size=POOL_SIZE)
    app.mount("/loop", demo)
