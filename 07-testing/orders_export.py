"""Export a customer's orders to a CSV file: the code part 4's pytest tools are shown on.

`export_orders(repository, customer, directory)` writes `<customer>-orders.csv` (reference,
status, total) and returns its path; a customer with no orders gets a header-only file and a
logged warning. `export_directory()` reads the folder from `ORDERS_EXPORT_DIR` and says in one
line what to set when it is missing. `print_summary` prints what was written. Each touches
something a test must control: the file system (`tmp_path`), the environment (`monkeypatch`),
the log (`caplog`) and the terminal (`capsys`).
"""

from __future__ import annotations

import csv
import logging
import os
from pathlib import Path

from orders_domain import format_cents
from orders_repository import OrderRepository

logger = logging.getLogger(__name__)
EXPORT_DIR_VARIABLE = "ORDERS_EXPORT_DIR"


class ExportError(RuntimeError):
    """The export cannot run as configured; the message says what to change."""


def export_directory() -> Path:
    """Return the folder exports go to, from ORDERS_EXPORT_DIR; it must exist."""
    value = os.environ.get(EXPORT_DIR_VARIABLE)
    if not value:
        raise ExportError(f"set {EXPORT_DIR_VARIABLE} to the folder the exports go to")
    directory = Path(value)
    if not directory.is_dir():
        raise ExportError(f"{EXPORT_DIR_VARIABLE}={value} is not a folder: create it first")
    return directory


def export_orders(repository: OrderRepository, customer: str, directory: Path) -> Path:
    """Write the customer's orders to `<customer>-orders.csv` in directory; return the path."""
    orders = repository.list_for_customer(customer)
    if not orders:
        logger.warning("no orders for %s: the export has a header only", customer)
    path = directory / f"{customer}-orders.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["reference", "status", "total"])
        for order in orders:
            writer.writerow([order.reference, order.status, format_cents(order.total_cents)])
    logger.info("exported %d orders of %s to %s", len(orders), customer, path)
    return path


def print_summary(path: Path) -> None:
    """Print how many orders a written export holds."""
    with path.open(newline="", encoding="utf-8") as file:
        rows = sum(1 for _ in csv.reader(file)) - 1  # less the header
    print(f"{path.name}: {rows} orders")
