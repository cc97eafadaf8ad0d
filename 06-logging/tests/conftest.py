"""Fixtures for the lesson's tests: logging state restored after each test, JSON lines read back."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from logging_structured import json_handler


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Put back every logger's level, handlers and flags: the tests configure logging for real."""
    loggers = [
        logging.getLogger(),
        *(
            logger
            for logger in logging.Logger.manager.loggerDict.values()
            if isinstance(logger, logging.Logger)
        ),
    ]
    saved = [
        (logger, logger.level, logger.handlers[:], logger.propagate, logger.disabled)
        for logger in loggers
    ]
    yield
    for logger, level, handlers, propagate, disabled in saved:
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate, logger.disabled = propagate, disabled


@pytest.fixture
def json_lines() -> Iterator[Callable[[], list[dict]]]:
    """Send every INFO+ record to a JSON handler on a buffer; call the fixture to parse it."""
    buffer = io.StringIO()
    handler = json_handler(buffer)
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    logging.getLogger("httpx2").setLevel(logging.WARNING)

    def read() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    read.raw = buffer.getvalue  # type: ignore[attr-defined]  # the text exactly as written
    yield read
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.fixture(scope="module")
def shop_database_url(settings) -> Iterator[str]:
    """One fresh database per test module (each test still has its own table): creating and
    dropping a database per test would cost half a second each."""
    from conftest import require_service
    from course.sandbox import temporary_postgres_database

    require_service("postgres", settings)
    with temporary_postgres_database(settings, prefix="obs") as url:
        yield url
