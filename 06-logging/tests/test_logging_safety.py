"""A broken log handler never breaks the caller: each lost record is counted by its reason."""

import io
import logging
import os
import queue

import pytest
from logging_safety import (
    LossCounter,
    SafeQueueHandler,
    SafeStreamHandler,
    SafeWatchedFileHandler,
    Unprintable,
)


@pytest.fixture
def safety_logger():
    logger = logging.getLogger("shop.safety.test")
    logger.setLevel(logging.INFO)
    return logger


def test_an_object_that_cannot_be_printed_is_counted_and_the_next_record_written(safety_logger):
    buffer, losses = io.StringIO(), LossCounter()
    safety_logger.addHandler(SafeStreamHandler(buffer, losses))
    # set here, not in a fixture: pytest adds its own (raising) capture handler to every
    # logger that does not propagate when the test starts
    safety_logger.propagate = False
    safety_logger.info("order %s", Unprintable())
    safety_logger.info("next %s", "ok")
    assert buffer.getvalue() == "next ok\n"
    assert losses.lost == {"RuntimeError": 1}


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux) for ENOSPC")
def test_a_full_disk_is_counted_not_raised(safety_logger):
    losses = LossCounter()
    with open("/dev/full", "w", encoding="utf-8", buffering=1) as full:
        safety_logger.addHandler(SafeStreamHandler(full, losses))
        for number in range(3):
            safety_logger.info("line %d", number)
        safety_logger.handlers.clear()
        with pytest.raises(OSError):  # the leftover buffer fails once more on close
            full.close()
    assert losses.lost == {"OSError": 3}


def test_a_removed_log_file_is_opened_again(safety_logger, tmp_path):
    path = tmp_path / "app.log"
    handler = SafeWatchedFileHandler(str(path), LossCounter())
    safety_logger.addHandler(handler)
    safety_logger.info("before")
    path.unlink()
    safety_logger.info("after")
    handler.close()
    assert path.read_text() == "after\n"


def test_a_stalled_shipper_fills_the_queue_and_the_drops_are_counted_and_reported(safety_logger):
    stalled, losses = queue.Queue(maxsize=10), LossCounter()
    safety_logger.addHandler(SafeQueueHandler(stalled, losses))
    blocking_puts: list[object] = []

    def put(item: object, block: bool = True, timeout: float | None = None) -> None:
        if block:  # a blocking put would stall the request until the shipper reads
            blocking_puts.append(item)
        queue.Queue.put(stalled, item, block=False)

    stalled.put = put  # put_nowait() calls put(block=False)
    for number in range(25):
        safety_logger.info("request %d", number)  # never blocks, never raises
    assert blocking_puts == [], "a full queue must drop the record, not wait for room"
    report = io.StringIO()
    line = losses.report(report)
    assert stalled.qsize() == 10
    assert line == "logging lost 15 record(s): queue_full=15" == report.getvalue().strip()
