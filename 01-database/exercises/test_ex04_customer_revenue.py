"""Checks for ex04: `course check 01 ex04` runs them against your task."""

from collections import defaultdict

import pytest
from mongo_aggregation import load_shop
from nosql_shop_data import make_shop
from pymongo import MongoClient, monitoring

from course.exercises import load_exercise

task = load_exercise(__file__)


@pytest.fixture
def shop():
    shop = make_shop(customers=8, orders=80, seed=5)
    # three customers tied at the top: only a sort by email after $lookup orders them right.
    # Inserted in reverse email order, so neither insertion order nor _id gives the answer
    top = max(sum(line["qty"] * line["price_cents"] for line in o["lines"]) for o in shop.orders)
    for number, letter in enumerate("cba", start=len(shop.orders) + 1):
        email = f"tie-{letter}@example.com"
        shop.customers.append({"email": email, "name": f"Tie {letter.upper()}"})
        lines = [{"sku": "pen", "qty": 1, "price_cents": 100 * top}]
        shop.orders.append(
            {
                **shop.orders[0],
                "number": number,
                "customer_email": email,
                "status": "paid",
                "lines": lines,
            }
        )
    return shop


@pytest.fixture
def shop_db(mongo_db, shop):
    load_shop(mongo_db, shop)
    return mongo_db


def expected_ranking(shop):
    revenue, orders = defaultdict(int), defaultdict(int)
    for order in shop.orders:
        if order["status"] == "paid":
            orders[order["customer_email"]] += 1
            for line in order["lines"]:
                revenue[order["customer_email"]] += line["qty"] * line["price_cents"]
    names = {c["email"]: c["name"] for c in shop.customers}
    rows = [
        {"email": e, "name": names[e], "orders": orders[e], "revenue_cents": revenue[e]}
        for e in revenue
    ]
    return sorted(rows, key=lambda row: (-row["revenue_cents"], row["email"]))


@pytest.mark.parametrize("limit", [1, 3, 8])
def test_the_top_customers_are_ranked_by_paid_revenue(shop_db, shop, limit):
    assert task.top_customers(shop_db, limit=limit) == expected_ranking(shop)[:limit]


@pytest.mark.parametrize("status", ["cancelled", "placed"])
def test_only_paid_orders_count(shop_db, shop, status):
    # "placed" (not yet paid) too: a filter that only leaves out "cancelled" would count it
    shop_db.orders.update_many({}, {"$set": {"status": status}})

    assert task.top_customers(shop_db, limit=3) == [], f"{status!r} orders are not paid ones"


class Commands(monitoring.CommandListener):
    """Every command the client sends, by name, with its body; and the documents sent back."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []
        self.documents_received = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.sent.append((event.command_name, dict(event.command)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        # an aggregate's first batch and every getMore's next batch: all the rows that travel
        cursor = event.reply.get("cursor", {})
        self.documents_received += len(cursor.get("firstBatch", cursor.get("nextBatch", [])))

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


# cursor and session housekeeping, and the handshake: not questions about the data
HOUSEKEEPING = {"getMore", "killCursors", "endSessions", "hello", "isMaster", "ismaster"}


def test_the_report_is_one_aggregate_call(shop_db, settings):
    # a client of its own that hears every command, find() and count_documents() included
    commands = Commands()
    with MongoClient(settings.mongo_url, event_listeners=[commands], tz_aware=True) as client:
        task.top_customers(client[shop_db.name], limit=2)

    asked = [(name, body) for name, body in commands.sent if name not in HOUSEKEEPING]
    assert [name for name, _ in asked] == ["aggregate"], (
        "one aggregate command and nothing else: no find() of customers or orders in Python"
    )
    stages = [next(iter(stage)) for stage in asked[0][1]["pipeline"]]
    assert "$lookup" in stages, f"the names come from a $lookup stage, not from Python: {stages}"
    # the task asks for the $match first: after $group by customer there is no status to
    # match (no rows), and a $match can use an index on status only at the pipeline's start
    first = asked[0][1]["pipeline"][0]
    assert "status" in str(first.get("$match", "")), (
        f"filter first: the pipeline begins with a $match on the status, not {first}"
    )
    # batchSize=limit with islice() also receives only `limit` rows, but the server still
    # builds every row and holds a cursor open: the limit belongs in the pipeline
    assert "$limit" in stages, f"the limit is a $limit stage of the pipeline: {stages}"
    assert commands.documents_received <= 2, (
        f"the server sent {commands.documents_received} customers for a limit of 2: limit in the"
        f" pipeline ($limit), not in Python, so only the final rows travel: {stages}"
    )
