"""Revenue per customer, with an aggregation pipeline: the top customers and their names.

Write `top_customers(db, *, limit)`. The orders collection holds the documents that
`mongo_aggregation.load_shop` stores: `{"customer_id", "status", "lines": [{"sku", "qty",
"price_cents", ...}]}`, and `customers` holds `{"_id", "email", "name"}`. Return the `limit`
customers who spent the most on PAID orders, as dicts with exactly the keys
`{"email", "name", "orders", "revenue_cents"}` (`orders` counts their paid orders), highest
revenue first, ties broken by email. Filter first: the pipeline begins with a `$match` on the
status, so that every later stage handles only paid orders. (A `$match` on the status cannot
come after `$group`: the groups have no status any more. And the server can use an index on
`status` only for a `$match` at the start of the pipeline; its optimizer moves some later ones
there, e.g. from after an `$unwind` of another field, but not one after a `$group` that drops
the field. The test reads the first stage.) Do it in ONE `aggregate` call: no loop in Python
over orders or customers, and the limit applied in the pipeline (a `$limit` stage), so that
only the final rows travel (the test counts the documents the server sends back).

Write it the idiomatic way that works on real MongoDB and on the embedded server: `$unwind`
before you use a line's fields, and `$unwind` the array that `$lookup` returns. Every order
`load_shop` stores has at least one line. Its collection has no validator, so an order without
lines could be stored (part 2a's `$jsonSchema` refuses one, with `minItems: 1`), and a plain
`$unwind` would drop it (it then counts in neither `orders` nor the revenue): this exercise
leaves that case out, so you need not handle it.

Check your work with `.venv/bin/course check 01 ex04` (or `course check 01 ex04` after
`source .venv/bin/activate`); ask for a hint with `.venv/bin/course hint 01 ex04`.
"""

from __future__ import annotations

from typing import Any

from pymongo.database import Database


def top_customers(db: Database, *, limit: int) -> list[dict[str, Any]]:
    """Return the `limit` best customers by revenue over paid orders, best first."""
    # TODO: first $match paid orders; $unwind the lines; $group by customer_id, summing
    # qty * price_cents and collecting the distinct order _ids; $lookup the customer;
    # $unwind it; $project the four keys (count the order ids); then $sort by revenue
    # and email (the email exists only after $lookup) and $limit
    raise NotImplementedError("TODO: build the revenue-per-customer pipeline")
