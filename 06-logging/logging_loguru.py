"""Loguru, briefly: the same JSON lines with Loguru, and no library log lost between the two.

Running it adds a Loguru sink that writes JSON (`serialize=True`), with the request id bound
by `logger.contextualize` and secrets masked by a patcher; then routes the standard library's
records (what every library writes) into Loguru with an `InterceptHandler`, and Loguru's
records into the standard library with a `PropagateHandler`, so either can be the one that
writes. Loguru has one global logger: each demo and test removes the sinks it added.
"""

from __future__ import annotations

import inspect
import json
import logging
import sys
from collections.abc import Callable
from typing import Any, TextIO

from logging_redact import redact_text, redact_value, safe_str
from loguru import logger as loguru_logger


def mask_secrets(record: dict[str, Any]) -> None:
    """A Loguru patcher: mask secrets in the message, bound fields and exception text."""
    record["message"] = redact_text(record["message"])
    # `bind(token=...)` and `info("...", api_key=...)` both land in `extra`
    record["extra"] = redact_value(record["extra"])
    if record["exception"] is not None and record["exception"].value is not None:
        value = record["exception"].value
        masked = redact_text(safe_str(value))
        if masked != safe_str(value):
            try:
                value = type(value)(masked)  # the same type, with the masked text
            except Exception:  # a constructor that wants other arguments
                value = RuntimeError(f"{type(value).__name__}: {masked}")
            record["exception"] = record["exception"]._replace(type=type(value), value=value)


# patch() returns a logger that runs mask_secrets on every record it makes
masked_logger = loguru_logger.patch(mask_secrets)


def add_json_sink(stream: TextIO) -> int:
    """Add a sink writing one JSON object per record; return its id (for `remove`)."""
    # diagnose=False: Loguru's default prints every variable's value in a traceback
    return masked_logger.add(stream, serialize=True, level="INFO", diagnose=False)


class InterceptHandler(logging.Handler):
    """A standard-library handler that hands each record to Loguru (Loguru's own recipe)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = loguru_logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        # find the caller outside the logging module, so Loguru reports the right line
        frame, depth = inspect.currentframe(), 0
        while frame and (depth == 0 or frame.f_code.co_filename == logging.__file__):
            frame = frame.f_back
            depth += 1
        masked_logger.opt(depth=depth, exception=record.exc_info).bind(logger_name=record.name).log(
            level, record.getMessage()
        )


class PropagateHandler(logging.Handler):
    """Used as a Loguru sink: hand Loguru's records to the standard library's loggers."""

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger(record.name).handle(record)


def json_messages(lines: str) -> list[dict[str, Any]]:
    """Parse Loguru's serialized lines into (message, level, extra) dicts."""
    parsed = []
    for line in lines.splitlines():
        record = json.loads(line)["record"]
        parsed.append(
            {
                "message": record["message"],
                "level": record["level"]["name"],
                "extra": record["extra"],
            }
        )
    return parsed


def with_sink(add: Callable[[], int], body: Callable[[], None]) -> None:
    """Run body with a sink added, and remove the sink whatever happens."""
    sink_id = add()
    try:
        body()
    finally:
        loguru_logger.remove(sink_id)


def main() -> None:
    import io

    buffer = io.StringIO()

    def log_a_request() -> None:
        with masked_logger.contextualize(request_id="5f2c9e1a7b3d4c60"):
            masked_logger.info("login with password=hunter2")
            # a library that logs with the standard library, intercepted into Loguru
            logging.getLogger("acme_sdk").warning("token=abc123 expired, refreshing")

    intercept = InterceptHandler()
    logging.getLogger("acme_sdk").addHandler(intercept)
    loguru_logger.remove()  # Loguru's default sink writes every record to stderr
    with_sink(lambda: add_json_sink(buffer), log_a_request)
    logging.getLogger("acme_sdk").removeHandler(intercept)
    print("1. Loguru's JSON lines (message, level, extra), secrets masked:")
    for message in json_messages(buffer.getvalue()):
        print(f"   {message}")
    print("2. The other way round: a Loguru record written by a standard-library handler:")
    root = logging.getLogger()
    root.addHandler(logging.StreamHandler(sys.stdout))
    with_sink(
        lambda: loguru_logger.add(PropagateHandler(), format="{message}"),
        lambda: loguru_logger.warning("   from Loguru, through the root logger's handler"),
    )
    print("Conclusion: Loguru is pleasant for an application's own logs; libraries log with")
    print("the standard library, so intercept them or they are lost.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
