"""A flaky test diagnosed and fixed: the race between a test and a background thread.

The flaky version checks `sender.sent` right after `send_later`; it passes only when the worker
thread happens to run first (with some I/O before the check, most of the time; `testing_gates.py`
counts it). Holding the worker back with its gate makes the race lose every time, which proves
the diagnosis. The fix waits for the outcome with a deadline; it passes however late the worker
is, and the worker wakes the waiter (it does not sit out its timeout). Retrying the flaky test
(pytest-rerunfailures) would only hide it.
"""

import threading

import pytest
from orders_receipts import ReceiptSender


@pytest.fixture
def gate():
    return threading.Event()


@pytest.fixture
def sender(gate):
    sender = ReceiptSender(gate)
    yield sender
    sender.close()


def flaky_check(sender: ReceiptSender) -> None:
    """THE WRONG WAY: assume the worker has already run."""
    sender.send_later("ORD-1")
    assert sender.sent == ["ORD-1"]


def fixed_check(sender: ReceiptSender) -> None:
    """Wait for the outcome, with a deadline, instead of assuming it."""
    sender.send_later("ORD-1")
    assert sender.wait_until_sent(1, timeout=5), "the receipt was not sent within 5 s"
    assert sender.sent == ["ORD-1"]


def test_the_flaky_check_fails_every_time_the_worker_is_late(sender):
    with pytest.raises(AssertionError):
        flaky_check(sender)  # the gate is closed: the worker cannot have sent it yet


def test_the_fixed_check_passes_however_late_the_worker_is(sender, gate):
    timer = threading.Timer(0.05, gate.set)  # the worker is held back, then let go
    timer.start()
    try:
        fixed_check(sender)
    finally:
        timer.cancel()


def test_the_worker_wakes_the_waiter_instead_of_leaving_it_to_its_deadline(sender, gate):
    # wait_for re-checks at its timeout, so a worker that never notifies would still pass the
    # check above, only late; Condition.wait returns False when it was not notified
    sender.send_later("ORD-1")
    with sender.changed:
        gate.set()  # the worker sends, then needs this lock to record it: wait() releases it
        assert sender.changed.wait(timeout=5), "not notified: every wait would last its timeout"
    assert sender.sent == ["ORD-1"]


def test_a_receipt_that_never_comes_fails_at_the_deadline_not_never(sender):
    sender.send_later("ORD-1")
    assert sender.wait_until_sent(1, timeout=0.05) is False
