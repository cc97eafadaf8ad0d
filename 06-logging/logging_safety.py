"""Logging must never break the request: losses are counted and reported, never silent.

Running it breaks logging four ways while the "application" keeps going: a record holding an
object that cannot be turned into text, a handler whose disk is full (`/dev/full`, a real
ENOSPC on Linux), a log file removed under the running process (`WatchedFileHandler` opens
it again), and a log shipper that stopped reading (the bounded queue fills). Each loss is
counted by reason, and `report()` says how many records were lost and why.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import logging.handlers
import queue
import sys
import threading
from collections import Counter
from typing import TextIO

logger = logging.getLogger(__name__)


class LossCounter:
    """Count log records that could not be written, by reason; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.lost: Counter[str] = Counter()

    def add(self, reason: str) -> None:
        with self._lock:
            self.lost[reason] += 1

    def total(self) -> int:
        with self._lock:
            return sum(self.lost.values())

    def report(self, stream: TextIO | None = None) -> str:
        """Write one line saying what was lost (to stderr: logging itself may be what broke)."""
        with self._lock:
            reasons = ", ".join(f"{reason}={count}" for reason, count in sorted(self.lost.items()))
        line = f"logging lost {self.total()} record(s): {reasons or 'none'}"
        print(line, file=stream or sys.stderr)
        return line


class CountingMixin:
    """Replace logging's default error report (a traceback on stderr per record) by a count."""

    losses: LossCounter

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        self.losses.add(type(error).__name__ if error else "unknown")


class SafeStreamHandler(CountingMixin, logging.StreamHandler):
    """A StreamHandler that counts what it could not write (full disk, closed pipe, bad object)."""

    def __init__(self, stream: TextIO, losses: LossCounter) -> None:
        super().__init__(stream)
        self.losses = losses


class SafeWatchedFileHandler(CountingMixin, logging.handlers.WatchedFileHandler):
    """A file handler that reopens its file if it was removed or rotated away, and counts losses."""

    def __init__(self, filename: str, losses: LossCounter) -> None:
        super().__init__(filename, encoding="utf-8")
        self.losses = losses


class SafeQueueHandler(logging.handlers.QueueHandler):
    """Put records on a bounded queue without ever blocking; a full queue drops and counts."""

    def __init__(self, log_queue: queue.Queue, losses: LossCounter) -> None:
        super().__init__(log_queue)
        self.losses = losses

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        """Merge the message and keep the traceback as text, for the listener's formatter."""
        record = copy.copy(record)  # other handlers of this logger still see the original
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = record.exc_text or logging.Formatter().formatException(
                record.exc_info
            )
            record.exc_info = None  # a traceback cannot cross to another thread or process
        return record

    def enqueue(self, record: logging.LogRecord) -> None:
        try:
            self.queue.put_nowait(record)  # never block the request on a stalled shipper
        except queue.Full:
            self.losses.add("queue_full")

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        self.losses.add(type(error).__name__ if error else "unknown")


class Unprintable:
    """An object whose `str()` and `repr()` both raise, as a broken model's might."""

    def __str__(self) -> str:
        raise RuntimeError("cannot describe myself")

    __repr__ = __str__


def main() -> None:
    import os
    import tempfile

    losses = LossCounter()
    demo = logging.getLogger("shop.safety")
    demo.propagate = False
    demo.setLevel(logging.INFO)
    print("1. A record with an object whose str() raises, on a plain text handler:")
    demo.addHandler(SafeStreamHandler(sys.stdout, losses))
    demo.info("order %s", Unprintable())
    demo.info("the next request still logs: %s", "ok")
    print(f"   the record whose str() raised was counted, not written: {dict(losses.lost)}")
    demo.handlers.clear()
    if os.path.exists("/dev/full"):
        print("2. A handler on a full disk (/dev/full answers every write with ENOSPC):")
        full = open("/dev/full", "w", encoding="utf-8", buffering=1)  # noqa: SIM115
        demo.addHandler(SafeStreamHandler(full, losses))
        before = losses.total()
        for number in range(3):
            demo.info("lost line %d", number)
        print(f"   {losses.total() - before} lines lost (OSError: no space), the loop went on")
        demo.handlers.clear()
        with contextlib.suppress(OSError):  # closing flushes what is left: ENOSPC again
            full.close()
    with tempfile.TemporaryDirectory(prefix="logging_safety_") as folder:
        path = os.path.join(folder, "app.log")
        handler = SafeWatchedFileHandler(path, losses)
        demo.addHandler(handler)
        demo.info("before the file was removed")
        os.remove(path)  # an operator, or a rotation tool that does not tell the process
        demo.info("after: WatchedFileHandler noticed and opened a new file")
        handler.close()
        demo.handlers.clear()
        with open(path, encoding="utf-8") as file:
            print(f"3. The removed log file came back with: {file.read().strip()!r}")
    stalled: queue.Queue = queue.Queue(maxsize=100)  # nobody reads it: a crashed shipper
    demo.addHandler(SafeQueueHandler(stalled, losses))
    for number in range(250):
        demo.info("request %d", number)
    demo.handlers.clear()
    print(f"4. A stalled shipper: the queue holds {stalled.qsize()}, the rest were dropped")
    print("5. ", end="")
    losses.report(sys.stdout)
    print("Conclusion: every failure is counted by reason and reported; the loop never stopped.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
