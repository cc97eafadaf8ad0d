"""Documents with PyMongo: CRUD, embedding vs referencing, update operators."""

import pytest
from mongo_documents import (
    add_line,
    delete_customer,
    find_customer_by_email,
    insert_customer,
    insert_products,
    make_mongo_client,
    order_line,
    orders_of_customer,
    place_order,
    rename_customer,
    ship_order,
    tag_order,
)
from pymongo import MongoClient, monitoring


def test_the_client_gives_up_on_a_stalled_server_instead_of_hanging(settings):
    # no timeoutMS (and socketTimeoutMS unset, its default): a server that stops answering
    # mid-operation would hang the learner's script for ever
    with make_mongo_client(settings.mongo_url) as client:
        assert client.options.timeout is not None and 0 < client.options.timeout <= 30
        assert client.options.server_selection_timeout <= 10


@pytest.fixture
def shop_db(mongo_db):
    insert_products(mongo_db)
    return mongo_db


@pytest.fixture
def customer_id(shop_db):
    return insert_customer(shop_db, name="Ada", email="ada@example.com")


def test_a_customer_can_be_created_read_renamed_and_deleted(mongo_db):
    customer_id = insert_customer(mongo_db, name="Ada", email="ada@example.com")

    renamed = rename_customer(mongo_db, customer_id, "Ada Lovelace")
    found = find_customer_by_email(mongo_db, "ada@example.com")
    deleted = delete_customer(mongo_db, customer_id)

    assert (renamed, found["name"], deleted) == (1, "Ada Lovelace", 1)
    assert find_customer_by_email(mongo_db, "ada@example.com") is None


def test_an_order_embeds_its_lines_and_references_its_customer(shop_db, customer_id):
    lines = [order_line(shop_db, "pen", 1), order_line(shop_db, "ink", 2)]

    place_order(shop_db, customer_id=customer_id, lines=lines)
    [order] = orders_of_customer(shop_db, customer_id)

    assert order["customer_id"] == customer_id
    assert [line["sku"] for line in order["lines"]] == ["pen", "ink"]
    assert (order["item_count"], order["total_cents"]) == (3, 2500 + 2 * 800)


def test_a_customers_orders_come_newest_first(shop_db, customer_id):
    first = place_order(shop_db, customer_id=customer_id, lines=[order_line(shop_db, "pen", 1)])
    second = place_order(shop_db, customer_id=customer_id, lines=[order_line(shop_db, "ink", 1)])
    third = place_order(shop_db, customer_id=customer_id, lines=[order_line(shop_db, "pad", 1)])
    # placed in the same millisecond, they tie on placed_at and _id decides (in one process,
    # as here, ObjectIds increase): made so here, as they are most often a millisecond apart
    # and placed_at alone would order them
    tie = shop_db.orders.find_one({"_id": first})["placed_at"]
    shop_db.orders.update_many({}, {"$set": {"placed_at": tie}})

    newest_first = [order["_id"] for order in orders_of_customer(shop_db, customer_id)]
    assert newest_first == [third, second, first]


def test_an_order_line_keeps_the_name_and_price_of_the_sale_when_the_catalogue_changes(
    shop_db, customer_id
):
    # the extended reference: the line copies what the receipt shows, so the order reads
    # without a lookup of the product, and a later rename or price change leaves it be
    order_id = place_order(shop_db, customer_id=customer_id, lines=[order_line(shop_db, "pen", 1)])

    shop_db.products.update_one({"_id": "pen"}, {"$set": {"name": "Gel pen", "price_cents": 9999}})

    [line] = shop_db.orders.find_one({"_id": order_id})["lines"]
    assert (line["name"], line["price_cents"]) == ("Fountain pen", 2500)


def test_push_and_inc_add_a_line_and_update_the_totals_in_one_update(shop_db, customer_id):
    order_id = place_order(shop_db, customer_id=customer_id, lines=[order_line(shop_db, "pen", 1)])

    added = add_line(shop_db, order_id, order_line(shop_db, "pad", 3))

    order = shop_db.orders.find_one({"_id": order_id})
    assert added
    assert (len(order["lines"]), order["item_count"], order["total_cents"]) == (2, 4, 2500 + 1350)


class UpdateCommands(monitoring.CommandListener):
    """The update commands a client sends: one means one atomic change of the document."""

    def __init__(self) -> None:
        self.updates: list[dict] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in ("update", "findAndModify"):
            self.updates.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def test_the_line_and_the_totals_change_in_one_update_command(shop_db, customer_id, settings):
    # $push, then $inc in a second update_one: a reader between them sees a line the totals
    # do not count yet, and a crash between them leaves it so for good
    order_id = place_order(shop_db, customer_id=customer_id, lines=[order_line(shop_db, "pen", 1)])
    line, listener = order_line(shop_db, "pad", 3), UpdateCommands()

    with MongoClient(settings.mongo_url, event_listeners=[listener]) as client:
        add_line(client[shop_db.name], order_id, line)

    assert len(listener.updates) == 1, f"{len(listener.updates)} update commands, not one"
    assert len(listener.updates[0].get("updates", [None])) == 1, "one update statement"


def test_set_on_a_nested_field_ships_the_order_and_then_refuses_new_lines(shop_db, customer_id):
    order_id = place_order(shop_db, customer_id=customer_id, lines=[order_line(shop_db, "pen", 1)])
    # another field of the subdocument: dot notation sets two fields and leaves this one be
    shop_db.orders.update_one({"_id": order_id}, {"$set": {"shipping.address": "Damrak 1"}})

    shipped = ship_order(shop_db, order_id, carrier="PostNL")
    added_after_shipping = add_line(shop_db, order_id, order_line(shop_db, "ink", 1))

    shipped_again = ship_order(shop_db, order_id, carrier="DHL")  # no longer pending

    order = shop_db.orders.find_one({"_id": order_id})
    assert (shipped, added_after_shipping, shipped_again) == (True, False, False)
    assert order["shipping"] == {"status": "shipped", "address": "Damrak 1", "carrier": "PostNL"}
    assert len(order["lines"]) == 1


def test_add_to_set_adds_a_tag_only_once(shop_db, customer_id):
    order_id = place_order(shop_db, customer_id=customer_id, lines=[order_line(shop_db, "pen", 1)])

    tag_order(shop_db, order_id, "gift")
    tag_order(shop_db, order_id, "gift")
    tag_order(shop_db, order_id, "priority")

    assert shop_db.orders.find_one({"_id": order_id})["tags"] == ["gift", "priority"]


def test_an_unknown_sku_cannot_become_an_order_line(shop_db):
    with pytest.raises(LookupError, match="nope"):
        order_line(shop_db, "nope", 1)
