"""Both apps as real servers (`python api_flask.py`, `python api_fastapi.py`) on free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from api_client import BooksClient, make_http_client
from api_samples import SAMPLE_BOOK

LESSON = Path(__file__).resolve().parent.parent
SCRIPTS = {"flask": "api_flask.py", "fastapi": "api_fastapi.py"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base_url: str, process: subprocess.Popen, deadline_seconds: float = 30) -> None:
    """Poll /health until the server answers (or fail with its output)."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited: {process.stdout.read()}", pytrace=False)
        try:
            if httpx2.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            time.sleep(0.05)
    pytest.fail(f"no answer from {base_url} in {deadline_seconds} s", pytrace=False)


@pytest.fixture(params=sorted(SCRIPTS))
def server(request, api_settings) -> Iterator[str]:
    """One app run as its script would be, on the test's database; its base URL."""
    port = free_port()
    environment = os.environ | {
        "DATABASE_URL": api_settings.database_url,
        "REDIS_URL": api_settings.redis_url,
    }
    process = subprocess.Popen(
        [sys.executable, str(LESSON / SCRIPTS[request.param]), "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base_url, process)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_a_real_server_serves_the_client_and_refuses_a_chunked_body_over_the_limit(server):
    # one test per server start: starting a server is the slow part of this file
    with make_http_client(server) as http:
        client = BooksClient(http)
        book = client.create(SAMPLE_BOOK, idempotency_key="e2e-1")
        assert client.create(SAMPLE_BOOK, idempotency_key="e2e-1") == book
        assert client.get(book["id"])[1] == '"1"'
        assert [found["id"] for found in client.iterate()] == [book["id"]]

        def chunks():  # no Content-Length: the server must count as it reads
            yield b'{"title": "'
            for _ in range(100):
                yield b"x" * 1024
            yield b'", "author": "A", "year": 2000, "price_cents": 1}'

        response = http.post(
            "/api/v1/books", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("script", sorted(SCRIPTS.values()))
def test_a_server_whose_database_is_down_says_so_in_one_line(script):
    environment = os.environ | {"DATABASE_URL": "postgresql+psycopg://course:x@127.0.0.1:9/course"}
    result = subprocess.run(
        [sys.executable, str(LESSON / script)],
        env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "PostgreSQL is not reachable" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr  # one clear line, not 117 of traceback
