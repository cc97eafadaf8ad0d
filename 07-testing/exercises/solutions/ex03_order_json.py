"""An order as JSON and back: the reference solution."""

from __future__ import annotations

import json
from dataclasses import asdict

from orders_domain import Line, Order


def order_to_json(order: Order) -> str:
    """Return the order as a JSON document."""
    # asdict turns the nested Line dataclasses into dicts, and the tuple of lines into a list
    return json.dumps(asdict(order))


def order_from_json(text: str) -> Order:
    """Return the order a JSON document written by `order_to_json` describes."""
    document = json.loads(text)
    # a tuple, not the list JSON gives back: Order(...) == Order(...) compares lines exactly
    lines = tuple(Line(**line) for line in document["lines"])
    return Order(document["reference"], document["customer"], lines, document["status"])
