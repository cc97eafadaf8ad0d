"""Loguru writes the same JSON lines, and records cross between it and the standard library."""

import io
import logging

from logging_loguru import (
    InterceptHandler,
    PropagateHandler,
    add_json_sink,
    json_messages,
    masked_logger,
)
from loguru import logger as loguru_logger


def test_loguru_lines_carry_the_contextualized_request_id_and_mask_secrets():
    buffer = io.StringIO()
    sink = add_json_sink(buffer)
    try:
        with masked_logger.contextualize(request_id="req-loguru-1"):
            masked_logger.info("login with password=hunter2-loguru")
        masked_logger.info("after the request")
    finally:
        loguru_logger.remove(sink)
    first, second = json_messages(buffer.getvalue())
    assert first == {
        "message": "login with password=[REDACTED]",
        "level": "INFO",
        "extra": {"request_id": "req-loguru-1"},
    }
    assert second["extra"] == {}, "contextualize ends with its block"
    assert "hunter2-loguru" not in buffer.getvalue()


def test_a_library_record_is_intercepted_into_loguru_with_its_traceback():
    buffer = io.StringIO()
    sink = add_json_sink(buffer)
    library = logging.getLogger("acme_sdk_intercepted")
    library.addHandler(InterceptHandler())
    library.propagate = False
    try:
        try:
            int("x")
        except ValueError:
            library.exception("parse failed")
    finally:
        loguru_logger.remove(sink)
    [record] = json_messages(buffer.getvalue())
    assert (record["message"], record["level"]) == ("parse failed", "ERROR")
    assert record["extra"]["logger_name"] == "acme_sdk_intercepted"
    assert "ValueError" in buffer.getvalue()


def test_a_loguru_record_reaches_the_standard_library(caplog):
    caplog.set_level(logging.INFO)
    sink = loguru_logger.add(PropagateHandler(), format="{message}")
    try:
        loguru_logger.warning("from loguru to logging")
    finally:
        loguru_logger.remove(sink)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "from loguru to logging")
    ]


def test_bound_fields_keyword_fields_and_exception_text_are_masked_too():
    buffer = io.StringIO()
    sink = add_json_sink(buffer)
    try:
        masked_logger.bind(token="SEKRET-BIND").info("bound")
        masked_logger.info("kw {}", "x", api_key="SEKRET-KW")
        try:
            secret = "SEKRET" + "-EXC"  # built at run time: the traceback quotes source lines
            raise ValueError(f"token={secret}")
        except ValueError:
            masked_logger.exception("failed")
    finally:
        loguru_logger.remove(sink)
    written = buffer.getvalue()
    assert "SEKRET" not in written, [part for part in written.split('"') if "SEKRET" in part]
    assert "ValueError: token=[REDACTED]" in written
