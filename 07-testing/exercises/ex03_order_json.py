"""An order as JSON and back: a round trip that Hypothesis checks on generated orders.

Write `order_to_json(order)` and `order_from_json(text)`, so that for EVERY order
`order_from_json(order_to_json(order)) == order`. The JSON is an object with the keys
`reference`, `customer`, `status` and `lines`, a list of objects with `sku`, `quantity` and
`unit_price_cents`. The check does not use examples you can see in advance: Hypothesis
generates orders (empty ones, odd characters in names, large quantities) and shrinks any
that fails to the simplest one, which `course check` shows you.

`orders_domain.py` has `Order` and `Line`; part 3 (`part3-hypothesis.md`) explains round trips.
Check your work with `.venv/bin/course check 07 ex03`; a hint: `.venv/bin/course hint 07 ex03`.
"""

from __future__ import annotations

from orders_domain import Order


def order_to_json(order: Order) -> str:
    """Return the order as a JSON document."""
    # TODO: build a dict with the four keys (each line as a dict) and json.dumps it
    raise NotImplementedError("TODO: write the order as JSON")


def order_from_json(text: str) -> Order:
    """Return the order a JSON document written by `order_to_json` describes."""
    # TODO: json.loads, then rebuild the Lines (as a tuple) and the Order
    raise NotImplementedError("TODO: read the order back from JSON")
