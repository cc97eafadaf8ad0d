"""Structured logs: one JSON object per line, with the request id, redacted, rotated, queued.

Running it prints JSON log lines (python-json-logger on the standard library), with a request
id from a context variable and secrets masked; then rotates a log file by size and shows when
a time-based handler would roll over; then logs through a `QueueHandler` so the request
thread only puts the record on a queue and a `QueueListener` thread does the writing.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import queue
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from logging_context import RequestIdFilter, request_id_var
from logging_redact import RedactingFilter
from logging_safety import LossCounter, SafeQueueHandler
from pythonjsonlogger.json import JsonFormatter
from tracing_setup import TraceIdFilter

logger = logging.getLogger(__name__)

# the fields every line starts with; anything passed in `extra=` is added after them
JSON_FIELDS = ["asctime", "levelname", "name", "message"]


def make_json_formatter() -> JsonFormatter:
    """Return a formatter that writes one JSON object per record, ISO times in UTC."""
    formatter = JsonFormatter(
        JSON_FIELDS,
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
    )
    formatter.converter = time.gmtime  # UTC: lines from many hosts sort by time
    return formatter


def json_handler(
    stream: TextIO | None = None, *extra_filters: logging.Filter
) -> logging.StreamHandler:
    """Return a stream handler with the JSON formatter, the request id and redaction."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(make_json_formatter())
    # filters on the handler see the records of every logger that reaches it
    for log_filter in (RequestIdFilter(), TraceIdFilter(), *extra_filters, RedactingFilter()):
        handler.addFilter(log_filter)
    return handler


def size_rotating_handler(path: Path, max_bytes: int, backups: int) -> logging.Handler:
    """Return a handler that starts a new file past max_bytes and keeps `backups` old ones."""
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
    )
    handler.setFormatter(make_json_formatter())
    return handler


def daily_rotating_handler(path: Path, days_kept: int) -> logging.handlers.TimedRotatingFileHandler:
    """Return a handler that starts a new file at midnight UTC and keeps `days_kept` days."""
    handler = logging.handlers.TimedRotatingFileHandler(
        path, when="midnight", backupCount=days_kept, utc=True, encoding="utf-8"
    )
    handler.setFormatter(make_json_formatter())
    return handler


@contextlib.contextmanager
def queued_logging(
    target: logging.Handler, losses: LossCounter, capacity: int = 10_000
) -> Iterator[SafeQueueHandler]:
    """Yield a QueueHandler whose records a listener thread writes to `target`."""
    log_queue: queue.Queue = queue.Queue(maxsize=capacity)  # bounded: memory cannot run away
    handler = SafeQueueHandler(log_queue, losses)
    # filters that read context variables must run in the caller's thread, before the queue
    handler.addFilter(RequestIdFilter())
    handler.addFilter(TraceIdFilter())
    handler.addFilter(RedactingFilter())
    listener = logging.handlers.QueueListener(log_queue, target, respect_handler_level=True)
    listener.start()
    try:
        yield handler
    finally:
        listener.stop()  # writes what is still queued, then joins the thread


def main() -> None:
    import tempfile

    demo = logging.getLogger("shop.api")
    demo.propagate = False
    demo.setLevel(logging.INFO)
    demo.addHandler(json_handler(sys.stdout))
    print("1. JSON lines with a request id and a redacted token:")
    token = request_id_var.set("5f2c9e1a7b3d4c60")
    try:
        demo.info("order placed", extra={"order_id": 42, "total_cents": 1999})
        demo.warning("payment retried", extra={"attempt": 2, "token": "tok_live_abc"})  # nosec B105  # a fake secret the filter masks
    finally:
        request_id_var.reset(token)
    demo.handlers.clear()
    with tempfile.TemporaryDirectory(prefix="logging_structured_") as folder:
        path = Path(folder) / "app.log"
        rotating = size_rotating_handler(path, max_bytes=2_000, backups=3)
        demo.addHandler(rotating)
        for number in range(100):
            demo.info("line %d", number)
        rotating.close()
        demo.handlers.clear()
        files = sorted(p.name for p in Path(folder).iterdir())
        print(f"2. 100 lines with maxBytes=2000, backupCount=3: {files} (the oldest deleted)")
        daily = daily_rotating_handler(path, days_kept=7)
        rollover = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(daily.rolloverAt))
        daily.close()
        print(f"   a TimedRotatingFileHandler(when='midnight', utc=True) rolls over at {rollover}")
        losses = LossCounter()
        with (
            open(path, "w", encoding="utf-8") as file,
            queued_logging(logging.StreamHandler(file), losses) as queue_handler,
        ):
            demo.addHandler(queue_handler)
            for number in range(1_000):
                demo.info("queued %d", number)
            demo.handlers.clear()
        with open(path, encoding="utf-8") as file:
            written = sum(1 for _ in file)
        print(
            f"3. Through a QueueHandler: {written:,} lines written by the listener thread, "
            f"{losses.total()} lost"
        )
    print("Conclusion: JSON lines are what log stores index; the request id joins the lines of")
    print("one request; the queue keeps slow disks and shippers out of the request's time.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
