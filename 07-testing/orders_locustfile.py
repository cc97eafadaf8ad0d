"""A Locust scenario for the order API: customers who place orders and read them back.

Locust runs it in its own process (it patches the standard library with gevent when
imported, so a test never imports this file): `testing_load.py` starts the API server and
then `locust -f orders_locustfile.py --headless ...` for a bounded time. `OrderCustomer` is
the scenario; `LostCustomer` asks for an order that does not exist in one request of four,
so a quarter of its requests fail and the run's exit code shows the error threshold at work.
`--max-fail-ratio` sets the threshold.
"""

from __future__ import annotations

import logging
import uuid

from locust import HttpUser, events, task

logger = logging.getLogger(__name__)


@events.init_command_line_parser.add_listener
def add_threshold(parser) -> None:
    """Add --max-fail-ratio: the share of failed requests above which the run fails."""
    parser.add_argument("--max-fail-ratio", type=float, default=0.01, include_in_web_ui=False)


@events.quitting.add_listener
def check_threshold(environment, **_kwargs) -> None:
    """Set the exit code: 1 when more requests failed than the threshold allows, else 0."""
    ratio, allowed = environment.stats.total.fail_ratio, environment.parsed_options.max_fail_ratio
    if ratio > allowed:
        logger.error(
            "%.1f%% of the requests failed; at most %.1f%% may", ratio * 100, allowed * 100
        )
        environment.process_exit_code = 1
    elif not environment.runner.exceptions:
        # without this, Locust exits 1 on ANY failed request and the threshold decides nothing;
        # an exception in the scenario itself still fails the run (Locust's own exit code)
        environment.process_exit_code = 0


def new_order(customer: str) -> dict:
    """Return the body of a new order with a reference nobody used."""
    return {
        "reference": f"ORD-{uuid.uuid4().hex[:12]}",
        "customer": customer,
        "lines": [{"sku": "tea", "quantity": 2, "unit_price_cents": 450}],
    }


class OrderCustomer(HttpUser):
    """Places one order, then mostly reads it; sometimes places another or asks the total."""

    def on_start(self) -> None:
        self.customer = f"load-{uuid.uuid4().hex[:8]}"
        self.reference = self.client.post("/orders", json=new_order(self.customer)).json()[
            "reference"
        ]

    @task(5)
    def read_order(self) -> None:
        self.client.get(f"/orders/{self.reference}", name="/orders/[reference]")

    @task(1)
    def place_order(self) -> None:
        self.client.post("/orders", json=new_order(self.customer))

    @task(1)
    def customer_total(self) -> None:
        self.client.get(f"/customers/{self.customer}/total", name="/customers/[customer]/total")


class LostCustomer(HttpUser):
    """Reads the health check three times, then asks for a missing order: a 404, so failed."""

    @task
    def read_three_times_then_get_lost(self) -> None:
        # one request in four fails, exactly: Locust lets a task finish (--stop-timeout)
        for _ in range(3):
            self.client.get("/health")
        self.client.get(f"/orders/missing-{uuid.uuid4().hex[:8]}", name="/orders/[missing]")
