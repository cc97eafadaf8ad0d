"""End to end: the order API as a real uvicorn process, over real HTTP, on a real database.

`orders_server` (in `conftest.py`) starts ONE server per test session, on a port the kernel
chose, waits until `/health` answers, and stops it after the last test, even if one failed. The
tests share its database, so each uses references of its own.
"""

import socket
import subprocess
import sys
import uuid

import httpx
import pytest
from orders_live_server import (
    URL_VARIABLE,
    ServerDidNotStart,
    app_from_env,
    live_server,
    reserved_socket,
    wait_until_ready,
)
from orders_tables import OrderRow
from sqlalchemy import select
from sqlalchemy.orm import Session


def new_order() -> dict:
    reference = f"ORD-{uuid.uuid4().hex[:8]}"
    return {
        "reference": reference,
        "customer": f"c-{reference}",
        "lines": [{"sku": "tea", "quantity": 3, "unit_price_cents": 450}],
    }


def test_an_order_placed_over_http_is_in_the_database(orders_server):
    order = new_order()
    response = httpx.post(f"{orders_server.url}/orders", json=order)
    assert response.status_code == 201
    with Session(orders_server.engine) as session:
        stored = session.scalars(select(OrderRow).filter_by(reference=order["reference"])).one()
    assert (stored.customer, stored.lines[0].quantity) == (order["customer"], 3)


def test_the_server_answers_each_call_of_a_short_story(orders_server):
    order = new_order()
    with httpx.Client(base_url=orders_server.url) as client:
        assert client.post("/orders", json=order).status_code == 201
        assert client.post("/orders", json=order).status_code == 409
        assert client.post(f"/orders/{order['reference']}/pay").json()["status"] == "paid"
        total = client.get(f"/customers/{order['customer']}/total").json()
    assert total["total_cents"] == 1350


def test_the_server_is_stopped_even_when_the_test_fails(orders_server):
    url = orders_server.engine.url.render_as_string(hide_password=False)
    with pytest.raises(RuntimeError), live_server(url) as base_url:
        assert httpx.get(f"{base_url}/health").status_code == 200
        raise RuntimeError("a failing test")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/health")


def test_a_server_that_exits_is_reported_at_once_not_waited_for():
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(ServerDidNotStart, match="exited with 3"):
        wait_until_ready("http://127.0.0.1:9/health", process, timeout=30)


def test_the_readiness_probe_ignores_a_proxy_a_loopback_server_never_needs(
    orders_server, monkeypatch
):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # a proxy that is not there
    for variable in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(variable, raising=False)
    alive = subprocess.Popen(["sleep", "30"])  # stands for the server's process: running
    try:
        wait_until_ready(f"{orders_server.url}/health", alive, timeout=2)
    finally:
        alive.kill()
        alive.wait()


def test_a_database_the_server_cannot_reach_stops_it_with_one_line(monkeypatch):
    # port 1: nothing listens there, so the connection is refused at once
    monkeypatch.setenv(URL_VARIABLE, "postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    with pytest.raises(SystemExit) as stopped:
        app_from_env()  # the child runs this before uvicorn answers /health
    message = str(stopped.value)
    assert "cannot connect to the database" in message and "127.0.0.1:1" in message
    assert "\n" not in message and "secret" not in message


def test_the_reserved_port_is_held_and_an_early_probe_waits_in_the_backlog():
    # on Linux a second bind needs SO_REUSEADDR on BOTH sockets: ours never sets it, so the
    # port is held even against a socket that asks; listen() is what lets a connection made
    # before uvicorn accepts wait in the backlog (a bound-only socket refuses it)
    with reserved_socket() as reserved, socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with pytest.raises(OSError, match="in use"):
            other.bind(("127.0.0.1", reserved.getsockname()[1]))
        socket.create_connection(reserved.getsockname(), timeout=1).close()
