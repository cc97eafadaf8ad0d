"""Payment links that expire: part 6's example of logic that depends on the clock.

A link is valid for 15 minutes after it was issued. `PaymentLink.is_expired()` reads the
current time from `datetime.now(UTC)`, so a test either waits 15 minutes, passes `now=`
explicitly, or moves the clock with time-machine (`time_machine.travel`), which the tests do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

VALID_FOR = timedelta(minutes=15)


@dataclass(frozen=True)
class PaymentLink:
    """A link a customer pays an order through, issued at one moment."""

    reference: str
    issued_at: datetime

    @classmethod
    def issue(cls, reference: str) -> PaymentLink:
        """Return a link for the order, issued now."""
        return cls(reference, datetime.now(UTC))

    @property
    def expires_at(self) -> datetime:
        """Return the first moment at which the link no longer works."""
        return self.issued_at + VALID_FOR

    def is_expired(self, now: datetime | None = None) -> bool:
        """Return True from `expires_at` on (the clock's now unless `now` is given)."""
        return (now or datetime.now(UTC)) >= self.expires_at
