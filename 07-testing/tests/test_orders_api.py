"""The API through FastAPI's test client: in process, no server, no port.

`TestClient` calls the app directly, so these tests are fast and see every status code and
body. The `repository` fixture runs each test twice, over the fake and over PostgreSQL (in a
rolled-back session): the API behaves the same over both for everything the contract covers.
"""

from contextlib import nullcontext

import pytest
from fastapi.testclient import TestClient
from orders_api import create_app

ORDER = {
    "reference": "ORD-1",
    "customer": "ada",
    "lines": [{"sku": "tea", "quantity": 2, "unit_price_cents": 450}],
}


@pytest.fixture
def client(repository):
    """A test client of the app over the fake, then over PostgreSQL."""
    with TestClient(create_app(lambda: nullcontext(repository))) as client:
        yield client


def test_a_placed_order_is_returned_with_its_total(client):
    response = client.post("/orders", json=ORDER)
    assert response.status_code == 201
    assert response.json()["total_cents"] == 900
    assert client.get("/orders/ORD-1").json()["status"] == "new"


def test_a_duplicate_reference_is_a_409_and_an_unknown_order_a_404(client):
    client.post("/orders", json=ORDER)
    assert client.post("/orders", json=ORDER).status_code == 409
    assert client.get("/orders/ORD-404").status_code == 404
    assert client.post("/orders/ORD-404/pay").status_code == 404


def test_paying_changes_the_status_and_the_total_adds_up(client):
    client.post("/orders", json=ORDER)
    client.post("/orders", json={**ORDER, "reference": "ORD-2"})
    assert client.post("/orders/ORD-1/pay").json()["status"] == "paid"
    assert client.get("/customers/ada/total").json() == {"customer": "ada", "total_cents": 1800}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reference": "R" * 41}, "reference"),
        ({"lines": [{"sku": "tea", "quantity": 0, "unit_price_cents": 1}]}, "quantity"),
        ({"lines": [{"sku": "tea", "quantity": 2**31, "unit_price_cents": 1}]}, "quantity"),
        ({"customer": "ada\x00"}, "customer"),
    ],
    ids=["reference too long", "no quantity", "quantity beyond int4", "NUL byte"],
)
def test_input_beyond_the_tables_limits_is_a_422_naming_the_field(client, change, field):
    response = client.post("/orders", json={**ORDER, **change})
    assert response.status_code == 422
    assert field in str(response.json()["detail"])
