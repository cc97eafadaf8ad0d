"""Time control: a link's 15 minutes pass in no time, with time-machine moving the clock.

`time_machine.travel(moment, tick=False)` makes `datetime.now()` (and `time.time()`) return
that moment until the block ends; `traveller.shift(...)` moves it on. The test runs in
microseconds and checks the exact boundary, which waiting for the real clock never could.
"""

from datetime import UTC, datetime, timedelta

import time_machine
from orders_payment_links import PaymentLink

ISSUED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_a_link_works_until_the_last_microsecond_and_expires_at_fifteen_minutes():
    with time_machine.travel(ISSUED, tick=False) as traveller:
        link = PaymentLink.issue("ORD-1")
        assert link.issued_at == ISSUED
        traveller.shift(timedelta(minutes=15) - timedelta(microseconds=1))
        assert not link.is_expired()
        traveller.shift(timedelta(microseconds=1))
        assert link.is_expired()


def test_an_explicit_now_needs_no_clock_at_all():
    link = PaymentLink("ORD-1", ISSUED)
    assert not link.is_expired(now=ISSUED + timedelta(minutes=14))
    assert link.is_expired(now=ISSUED + timedelta(minutes=16))


def test_the_clock_is_real_again_after_the_block():
    before = datetime.now(UTC)
    with time_machine.travel(ISSUED, tick=False):
        assert datetime.now(UTC) == ISSUED
    now = datetime.now(UTC)
    assert now != ISSUED and now >= before  # the real clock again, whatever the date today
