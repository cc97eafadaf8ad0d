"""The event-loop mistake, counted: a blocking call in `async def` serves one request at a time."""

from __future__ import annotations

import asyncio

import pytest
from api_async import measure_all


@pytest.fixture(scope="module")
def overlap(worker_database) -> dict[str, dict[str, float]]:
    """Each endpoint's figures for four concurrent requests (counts asserted, never timings)."""
    return asyncio.run(measure_all(worker_database[0], requests=4, query_seconds=0.05))


def test_a_blocking_call_in_async_def_serves_one_request_at_a_time(overlap):
    assert overlap["blocking"]["most"] == 1


def test_an_async_driver_serves_every_request_at_once(overlap):
    assert overlap["async"]["most"] == 4


def test_a_plain_def_endpoint_overlaps_in_the_thread_pool(overlap):
    assert overlap["threaded"]["most"] > 1
