"""One small, deterministic shop (customers, products, orders with lines) in plain Python.

The MongoDB and PostgreSQL examples of part 2 load this same data, so the comparison in
`nosql_compare.py` asks both databases the same question about the same facts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

PRODUCTS = [
    {"sku": "pen", "name": "Fountain pen", "category": "writing", "price_cents": 2500},
    {"sku": "ink", "name": "Ink bottle", "category": "writing", "price_cents": 800},
    {"sku": "pad", "name": "Paper pad", "category": "paper", "price_cents": 450},
    {"sku": "env", "name": "Envelopes", "category": "paper", "price_cents": 300},
    {"sku": "map", "name": "Desk map", "category": "desk", "price_cents": 1900},
]


@dataclass(frozen=True)
class Shop:
    """Customers, products and orders; each order line snapshots the price paid."""

    customers: list[dict] = field(default_factory=list)
    products: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)


def make_shop(*, customers: int = 20, orders: int = 200, seed: int = 7) -> Shop:
    """Build the same shop every time for the same arguments (a seeded random generator)."""
    rng = random.Random(seed)  # nosec B311  # seeded sample data, not a secret
    people = [
        {"email": f"customer{n}@example.com", "name": f"Customer {n}"} for n in range(customers)
    ]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    order_list = []
    for number in range(1, orders + 1):
        chosen = rng.sample(PRODUCTS, k=rng.randint(1, 3))
        lines = [
            {"sku": p["sku"], "qty": rng.randint(1, 4), "price_cents": p["price_cents"]}
            for p in chosen
        ]
        order_list.append(
            {
                "number": number,
                "customer_email": rng.choice(people)["email"],
                # about one order in ten is cancelled, and must not count as revenue
                "status": "cancelled" if rng.random() < 0.1 else "paid",
                "placed_at": start + timedelta(hours=number),
                "lines": lines,
            }
        )
    return Shop(customers=people, products=[dict(p) for p in PRODUCTS], orders=order_list)
