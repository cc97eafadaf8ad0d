"""JSON lines carry the request id everywhere a request's code runs, and never a secret."""

import contextvars
import io
import json
import logging
import sys
import threading

import pytest
from logging_context import handle_request, request_id_var
from logging_redact import MASK
from logging_safety import LossCounter
from logging_structured import json_handler, queued_logging, size_rotating_handler

logger = logging.getLogger("shop.test")


def test_a_json_line_has_time_level_logger_message_request_id_and_extra(json_lines):
    token = request_id_var.set("abc123def456")
    try:
        logger.warning("stock low: %d left", 3, extra={"sku": "KB-01"})
    finally:
        request_id_var.reset(token)
    [line] = json_lines()
    assert line["level"] == "WARNING" and line["logger"] == "shop.test"
    assert line["message"] == "stock low: 3 left"
    assert (line["request_id"], line["sku"]) == ("abc123def456", "KB-01")
    assert line["time"].endswith("+0000")


def test_the_request_id_follows_into_copied_threads_pools_and_asyncio_tasks(json_lines):
    seen = contextvars.copy_context().run(handle_request, "req-follow-1")
    assert seen["thread"] == seen["pool"] == "req-follow-1"
    assert seen["tasks"] == ["req-follow-1", "req-follow-1"]
    # a thread started without copy_context() starts empty (unless 3.14's
    # thread_inherit_context flag is on, as it is on free-threaded builds)
    inherits = getattr(sys.flags, "thread_inherit_context", 0)
    assert seen["plain_thread"] == ("req-follow-1" if inherits else "-")
    assert {line["request_id"] for line in json_lines()} == {"req-follow-1"}


def test_concurrent_requests_never_mix_their_ids(json_lines):
    ids = [f"req-parallel-{n}" for n in range(4)]
    threads = [
        threading.Thread(target=contextvars.copy_context().run, args=(handle_request, rid))
        for rid in ids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = json_lines()
    for rid in ids:
        mine = [line for line in lines if line["request_id"] == rid]
        assert [line["message"] for line in mine].count("request started") == 1
        assert len(mine) == 4  # started, two async steps, finished
    assert "-" not in {line["request_id"] for line in lines}


SECRETS = {
    "password in extra": ("login", {"password": "hunter2-extra"}, "hunter2-extra"),
    "nested header": ("request", {"headers": {"Authorization": "Bearer abc.def.ghi"}}, "abc.def"),
    "cookie": ("request", {"headers": {"cookie": "session=s3ss10n"}}, "s3ss10n"),
    "password in text": ("login with password=hunter2-text ok", {}, "hunter2-text"),
    "bearer in text": ("upstream said: Authorization: Bearer tok-in-text", {}, "tok-in-text"),
    "card with spaces": ("paid with 4111 1111 1111 1111", {}, "4111 1111 1111 1111"),
    "card in extra": ("paid", {"payment": {"card_number": "5500000000000004"}}, "5500000000000004"),
    "card in free field": ("paid", {"note": "card 4012888888881881"}, "4012888888881881"),
    "api key json": ('body {"api_key": "sk_live_9xq"}', {}, "sk_live_9xq"),
    "token list": ("tokens", {"items": [{"token": "tok-in-list"}]}, "tok-in-list"),
}


@pytest.mark.parametrize("message, extra, secret", SECRETS.values(), ids=SECRETS.keys())
def test_nothing_secret_reaches_the_output(json_lines, message, extra, secret):
    logger.info(message, extra=extra)
    raw = json_lines.raw()
    assert secret not in raw, f"the secret {secret!r} was written: {raw}"
    assert MASK in raw


def test_a_secret_in_an_exception_message_is_masked_in_the_traceback(json_lines):
    try:
        raise PermissionError("rejected token=tok-in-traceback")
    except PermissionError:
        logger.exception("upstream refused")
    [line] = json_lines()
    assert "PermissionError" in line["exc_info"]
    assert "tok-in-traceback" not in json_lines.raw()


def test_a_password_passed_as_a_percent_argument_is_masked(json_lines):
    logger.info("user %s password=%s", "ada", "hunter2-arg")
    [line] = json_lines()
    assert line["message"] == f"user ada password={MASK}"


def test_size_rotation_keeps_the_newest_files_only(tmp_path):
    handler = size_rotating_handler(tmp_path / "app.log", max_bytes=500, backups=2)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    for number in range(60):
        logger.info("line %d", number)
    handler.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.log", "app.log.1", "app.log.2"]
    last = (tmp_path / "app.log").read_text().splitlines()[-1]
    assert json.loads(last)["message"] == "line 59"


def test_the_queue_listener_writes_every_record_with_its_request_id_and_traceback():
    buffer, losses = io.StringIO(), LossCounter()
    target = json_handler(buffer)
    with queued_logging(target, losses) as handler:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
        token = request_id_var.set("req-queued")
        try:
            for number in range(200):
                logger.info("queued %d", number)
            try:
                int("not a number")
            except ValueError:
                logger.exception("division failed")
        finally:
            request_id_var.reset(token)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert len(lines) == 201 and losses.total() == 0
    assert {line["request_id"] for line in lines} == {"req-queued"}  # set in the caller's thread
    assert "ValueError" in lines[-1]["exc_info"]
