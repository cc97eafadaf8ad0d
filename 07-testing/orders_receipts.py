"""Receipts sent by a background thread: part 6's flaky test, diagnosed and fixed.

`ReceiptSender.send_later(reference)` queues a receipt and returns at once; a worker thread
sends it. A test that checks `sender.sent` right after `send_later` races the thread. In
CPython, with nothing in between, it loses every time (the test's thread keeps the GIL); with
any I/O in between (a query, a log line) the worker usually runs first and the test passes,
failing now and then: flaky (`testing_gates.py` counts both). `gate`, an Event the worker
waits on before each send, lets a test hold the worker back and so lose the race every time,
which proves the diagnosis without luck. The fix is to wait for the outcome
(`wait_until_sent`, with a deadline), never to retry the test or sleep a guess.
"""

from __future__ import annotations

import logging
import queue
import threading

logger = logging.getLogger(__name__)


class ReceiptSender:
    """Sends receipts from a queue on a thread of its own; `close()` stops it."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate = gate or threading.Event()
        if gate is None:
            self.gate.set()  # no gate given: the worker never waits
        self.sent: list[str] = []
        self.changed = threading.Condition()
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.worker = threading.Thread(target=self.work, name="receipts", daemon=True)
        self.worker.start()

    def send_later(self, reference: str) -> None:
        """Queue a receipt for the order; return before it is sent."""
        self.queue.put(reference)

    def work(self) -> None:
        """Send each queued receipt (here: record it), until close() queues None."""
        while (reference := self.queue.get()) is not None:
            self.gate.wait()
            with self.changed:
                self.sent.append(reference)
                self.changed.notify_all()

    def wait_until_sent(self, count: int, timeout: float = 5.0) -> bool:
        """Return True once `count` receipts are sent, False if the timeout passes first."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.sent) >= count, timeout=timeout)

    def close(self) -> None:
        """Stop the worker after the receipts queued so far."""
        self.gate.set()
        self.queue.put(None)
        self.worker.join(timeout=5)
