"""Sample books for the demo, the notebook and the tests."""

from __future__ import annotations

SAMPLE_BOOK = {"title": "Dune", "author": "Frank Herbert", "year": 1965, "price_cents": 1299}

SAMPLE_BOOKS = [
    SAMPLE_BOOK,
    {"title": "Kindred", "author": "Octavia E. Butler", "year": 1979, "price_cents": 1099},
    {"title": "Parable of the Sower", "author": "Octavia E. Butler", "year": 1993,
     "price_cents": 1199},
    {"title": "Neuromancer", "author": "William Gibson", "year": 1984, "price_cents": 999},
    {"title": "The Left Hand of Darkness", "author": "Ursula K. Le Guin", "year": 1969,
     "price_cents": 1150},
    {"title": "The Dispossessed", "author": "Ursula K. Le Guin", "year": 1974,
     "price_cents": 1250},
    {"title": "Foundation", "author": "Isaac Asimov", "year": 1951, "price_cents": 899},
]  # fmt: skip
