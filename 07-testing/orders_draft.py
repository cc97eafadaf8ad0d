"""A draft order (a basket): SKUs added and removed before the order is placed.

`DraftOrder` keeps one quantity per SKU and turns them into order lines. `BuggyDraftOrder`
carries a PLANTED BUG, the kind a reviewer misses: removing exactly the quantity in the basket
leaves a line of quantity 0 behind (`>` where `>=` was meant), and turning it into lines then
fails. Part 3's state machine (`testing_draft_machine.py`) finds it and shrinks it to two steps.
"""

from __future__ import annotations

from orders_domain import Line


class DraftOrder:
    """Quantities and unit prices per SKU, until the customer places the order."""

    def __init__(self) -> None:
        self.quantities: dict[str, int] = {}
        self.prices: dict[str, int] = {}

    def add(self, sku: str, quantity: int, unit_price_cents: int) -> None:
        """Add `quantity` of a SKU (the latest price wins)."""
        self.quantities[sku] = self.quantities.get(sku, 0) + quantity
        self.prices[sku] = unit_price_cents

    def remove(self, sku: str, quantity: int) -> None:
        """Remove up to `quantity` of a SKU; removing all of it removes its line."""
        current = self.quantities.get(sku, 0)
        if quantity >= current:
            self.quantities.pop(sku, None)
        else:
            self.quantities[sku] = current - quantity

    def lines(self) -> tuple[Line, ...]:
        """Return the draft's order lines, by SKU."""
        return tuple(
            Line(sku, self.quantities[sku], self.prices[sku]) for sku in sorted(self.quantities)
        )

    def total_cents(self) -> int:
        """Return what the order would cost."""
        return sum(line.total_cents for line in self.lines())


class BuggyDraftOrder(DraftOrder):
    """THE PLANTED BUG: removing exactly what is there leaves a quantity of 0."""

    def remove(self, sku: str, quantity: int) -> None:
        """Remove up to `quantity` of a SKU, with the off-by-one left in."""
        current = self.quantities.get(sku, 0)
        if quantity > current:  # BUG: should be >=; equal quantities leave 0 behind
            self.quantities.pop(sku, None)
        elif sku in self.quantities:
            self.quantities[sku] = current - quantity
