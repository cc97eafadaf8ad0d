"""Book covers in both apps: streamed in and out in chunks, a size limit, nothing half-written.

The round trips go through the usual in-process clients. The streaming proofs call each app
directly, as its server would (WSGI `environ` and `wsgi.input`; ASGI `receive` and `send`),
because both in-process transports read a whole request body into memory before the app sees
it: here the body is produced chunk by chunk while `tracemalloc` watches the peak.
"""

from __future__ import annotations

import asyncio
import tracemalloc
from dataclasses import replace

import api_fastapi
import api_flask
import pytest
from api_models import Book
from api_samples import SAMPLE_BOOK
from sqlalchemy.orm import Session
from werkzeug.test import EnvironBuilder

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 800  # about 200 KiB, not a real picture


def files_in(directory) -> list[str]:
    """Every file a cover upload left in the directory, partial ones included."""
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


@pytest.fixture
def covers(make_client, tmp_path):
    """A client whose covers go to this test's own directory, at most 300 000 bytes each."""
    directory = tmp_path / "covers"
    api = make_client(covers_dir=directory, max_cover_bytes=300_000)
    book = api.post("/api/v1/books", json=SAMPLE_BOOK).json()
    return api, f"/api/v1/books/{book['id']}", directory


def test_a_cover_goes_up_and_comes_back_the_same(covers):
    api, url, directory = covers
    stored = api.put(f"{url}/cover", content=PNG, headers={"Content-Type": "image/png"})
    assert stored.status_code == 204
    response = api.get(f"{url}/cover")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == PNG
    assert files_in(directory) == ["1.png"]  # no partial file left beside it


def test_a_cover_over_the_limit_is_a_413_problem_and_the_old_cover_stays(covers):
    api, url, directory = covers
    api.put(f"{url}/cover", content=PNG, headers={"Content-Type": "image/png"})
    too_big = PNG * 2  # about 400 KiB, over the 300 000 bytes
    response = api.put(f"{url}/cover", content=too_big, headers={"Content-Type": "image/png"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert files_in(directory) == ["1.png"]
    assert api.get(f"{url}/cover").content == PNG


@pytest.mark.parametrize(
    ("target", "content_type", "status"),
    [("", "text/plain", 415), ("", None, 415), ("/404", "image/png", 404)],
)
def test_a_wrong_type_or_a_missing_book_is_refused_before_any_byte_is_kept(
    covers, target, content_type, status
):
    api, url, directory = covers
    headers = {"Content-Type": content_type} if content_type else {}
    url = "/api/v1/books/424242" if target == "/404" else url
    response = api.put(f"{url}/cover", content=PNG, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert files_in(directory) == []


def test_a_book_without_a_cover_is_a_404_and_deleting_a_book_deletes_its_cover(covers):
    api, url, directory = covers
    assert api.get(f"{url}/cover").status_code == 404
    api.put(f"{url}/cover", content=PNG, headers={"Content-Type": "image/jpeg"})
    assert api.get(f"{url}/cover").headers["content-type"] == "image/jpeg"
    assert api.delete(url, headers={"If-Match": '"1"'}).status_code == 204
    assert files_in(directory) == []


# ---- the streaming proofs: 8 MiB through each app, at most 1 MiB of Python memory ----------

BIG = 8 * 1024 * 1024
CHUNK = 64 * 1024
MEMORY_BOUND = 1024 * 1024


class GeneratedBody:
    """A request body made on demand, as a socket delivers it: it never exists whole."""

    def __init__(self, size: int) -> None:
        self.left, self.reads = size, 0

    def read(self, size: int = -1) -> bytes:
        size = CHUNK if size < 0 else min(size, CHUNK)
        chunk = b"\xab" * min(size, self.left)
        self.left -= len(chunk)
        self.reads += 1
        return chunk

    def readline(self, _size: int = -1) -> bytes:  # part of wsgi.input's interface, unused here
        return self.read(_size)


def peak_bytes(run) -> int:
    """The peak of Python allocations while `run()` works (its result is dropped)."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def big_settings(api_settings, tmp_path):
    return replace(api_settings, covers_dir=tmp_path, max_cover_bytes=BIG + 1)


def flask_call(
    settings, method: str, path: str, body: GeneratedBody | None = None, *, declared: bool = True
) -> list[int]:
    """Call the Flask app as a WSGI server would; the status, then each body chunk's size."""
    app = api_flask.create_app(settings)
    headers = {"Content-Type": "image/png"}
    environ = EnvironBuilder(path=path, method=method, headers=headers).get_environ()
    if body is not None:  # the server's socket, as a stream: read as the app asks
        environ["wsgi.input"] = body
        if declared:
            environ["CONTENT_LENGTH"] = str(body.left)
        else:  # chunked: no length; the server says it ends the stream (as Werkzeug's does)
            environ["wsgi.input_terminated"] = True
    sizes: list[int] = []
    try:
        result = app(environ, lambda status, headers, exc_info=None: sizes.append(int(status[:3])))
        sizes.extend(len(chunk) for chunk in result)
        getattr(result, "close", lambda: None)()
    finally:
        app.extensions["api"].close()
    return sizes


def fastapi_call(settings, method: str, path: str, upload: int = 0) -> list[int]:
    """Call the FastAPI app as an ASGI server would (no Content-Length: chunked); as flask_call."""
    app = api_fastapi.create_app(settings)
    sizes: list[int] = []
    left, body_sent = upload, asyncio.Event()

    async def receive() -> dict:
        nonlocal left
        if left == 0 and upload:  # the whole body was delivered: wait, as a connection does
            await body_sent.wait()
            return {"type": "http.disconnect"}
        if not upload:
            await body_sent.wait()
            return {"type": "http.disconnect"}
        chunk = b"\xab" * min(CHUNK, left)
        left -= len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": left > 0}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            sizes.append(message["status"])
        if message["type"] == "http.response.body":
            sizes.append(len(message.get("body", b"")))
            if not message.get("more_body"):
                body_sent.set()

    headers = [(b"content-type", b"image/png"), (b"host", b"testserver")]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": headers, "client": ("127.0.0.1", 5000),
             "server": ("testserver", 80)}  # fmt: skip
    try:
        asyncio.run(app(scope, receive, send))
    finally:
        app.state.resources.close()
    return sizes


def book_path(engine) -> str:
    """The cover URL of a new book (inserted directly: these tests run no client)."""
    with Session(engine) as session:
        book = Book(**SAMPLE_BOOK)
        session.add(book)
        session.commit()
        return f"/api/v1/books/{book.id}/cover"


def test_flask_streams_8_mib_in_and_out_in_bounded_memory(engine, big_settings):
    path = book_path(engine)
    body = GeneratedBody(BIG)
    assert peak_bytes(lambda: flask_call(big_settings, "PUT", path, body)) < MEMORY_BOUND
    assert body.left == 0 and body.reads >= BIG // CHUNK  # read in chunks, to the end
    assert (big_settings.covers_dir / "1.png").stat().st_size == BIG
    sizes: list[int] = []
    assert peak_bytes(lambda: sizes.extend(flask_call(big_settings, "GET", path))) < MEMORY_BOUND
    status, *chunks = sizes
    assert status == 200
    assert sum(chunks) == BIG and max(chunks) <= CHUNK  # sent in chunks, not in one piece


def test_fastapi_streams_8_mib_in_and_out_in_bounded_memory(engine, big_settings):
    path = book_path(engine)
    assert peak_bytes(lambda: fastapi_call(big_settings, "PUT", path, upload=BIG)) < MEMORY_BOUND
    assert (big_settings.covers_dir / "1.png").stat().st_size == BIG
    fastapi_call(big_settings, "GET", path)  # warm-up: the first download imports and caches
    sizes: list[int] = []
    assert peak_bytes(lambda: sizes.extend(fastapi_call(big_settings, "GET", path))) < MEMORY_BOUND
    status, *chunks = sizes
    assert status == 200
    assert sum(chunks) == BIG and max(chunks) <= CHUNK


def test_a_chunked_upload_over_the_limit_is_a_413_and_leaves_no_file(engine, big_settings):
    # no Content-Length to refuse up front: each app counts while it reads, stops, cleans up
    small = replace(big_settings, max_cover_bytes=BIG // 4)
    path = book_path(engine)
    flask_status = flask_call(small, "PUT", path, GeneratedBody(BIG), declared=False)[0]
    fastapi_status = fastapi_call(small, "PUT", path, upload=BIG)[0]
    assert (flask_status, fastapi_status) == (413, 413)
    assert files_in(small.covers_dir) == []
