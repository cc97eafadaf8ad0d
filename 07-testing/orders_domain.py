"""The order service's domain: orders and their lines, plain Python with no database.

This is the small system the testing lesson tests at every level. An order has a unique
reference (`ORD-1001`), a customer, lines (a SKU, a quantity, a unit price in cents) and a
status. Money is kept in integer cents, never floats, so totals add up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("new", "paid", "shipped", "cancelled")


class InvalidOrder(ValueError):
    """An order or line that breaks a rule (a quantity below 1, an unknown status)."""


class OrderNotFound(LookupError):
    """No order has this reference."""


class DuplicateOrder(ValueError):
    """An order with this reference exists already."""


@dataclass(frozen=True)
class Line:
    """One line of an order: how many of one SKU, at what unit price."""

    sku: str
    quantity: int
    unit_price_cents: int

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise InvalidOrder(f"quantity of {self.sku} must be at least 1, not {self.quantity}")
        if self.unit_price_cents < 0:
            raise InvalidOrder(f"unit price of {self.sku} must not be negative")

    @property
    def total_cents(self) -> int:
        """Return quantity times unit price."""
        return self.quantity * self.unit_price_cents


@dataclass(frozen=True)
class Order:
    """An order as the rest of the service sees it (the repository stores and loads these)."""

    reference: str
    customer: str
    lines: tuple[Line, ...] = field(default_factory=tuple)
    status: str = "new"

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise InvalidOrder(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")

    @property
    def total_cents(self) -> int:
        """Return the sum of the lines' totals."""
        return sum(line.total_cents for line in self.lines)


def format_cents(cents: int) -> str:
    """Return cents as a price string: 123456 -> '1234.56', -5 -> '-0.05'."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def parse_cents(price: str) -> int:
    """Return the cents in a price string written by `format_cents`: '1234.56' -> 123456."""
    sign = -1 if price.startswith("-") else 1
    whole, _, rest = price.lstrip("-").partition(".")
    if not whole.isdigit() or len(rest) != 2 or not rest.isdigit():
        raise InvalidOrder(f"price must look like 12.34, not {price!r}")
    return sign * (int(whole) * 100 + int(rest))
