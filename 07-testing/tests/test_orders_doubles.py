"""Test doubles: a plain Mock, an autospec'd one, a high-fidelity fake, and the real Redis.

Each double answers a different question. A plain `MagicMock` accepts any call, so it hides a
misspelled method; `create_autospec` copies the real class's methods and signatures and
catches it. Neither knows what the real thing returns: a mock told to return "paid" lets
`is_paid_naive` pass, while real Redis (and fakeredis, which imitates it) returns b"paid".
"""

from unittest.mock import MagicMock, create_autospec

import fakeredis
import pytest
import redis
from orders_cache import OrderStatusCache, is_paid_naive
from orders_domain import Line, Order
from orders_repository import FakeOrderRepository, SqlOrderRepository
from orders_service import customer_total_cents, customer_total_cents_typo, pay_order

ORDER = Order("ORD-1", "ada", (Line("tea", 2, 450),))


def test_a_plain_mock_lets_a_misspelled_method_pass():
    repository = MagicMock()
    repository.list_by_customer.return_value = [ORDER]  # the test repeats the code's typo
    assert customer_total_cents_typo(repository, "ada") == 900  # passes: nothing checked it


def test_autospec_refuses_a_method_the_real_class_does_not_have():
    repository = create_autospec(SqlOrderRepository, instance=True)
    with pytest.raises(AttributeError, match="list_by_customer"):
        customer_total_cents_typo(repository, "ada")


def test_autospec_checks_the_call_signature_too():
    repository = create_autospec(SqlOrderRepository, instance=True)
    with pytest.raises(TypeError, match="too many positional arguments"):
        repository.get("ORD-1", "extra")


def test_autospec_records_calls_for_the_right_method():
    repository = create_autospec(SqlOrderRepository, instance=True)
    repository.list_for_customer.return_value = [ORDER, ORDER]
    assert customer_total_cents(repository, "ada") == 1800
    repository.list_for_customer.assert_called_once_with("ada")


def test_a_mock_told_to_return_a_str_lets_the_naive_check_pass():
    client = MagicMock()
    client.get.return_value = "paid"  # what the test's author believed Redis returns
    assert is_paid_naive(client, "ORD-1") is True


@pytest.fixture(params=["fakeredis", "redis"])
def raw_client(request):
    """A client WITHOUT decode_responses: fakeredis in memory, then the real server."""
    if request.param == "fakeredis":
        client = fakeredis.FakeRedis()
    else:
        client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
    yield client
    client.close()


def test_real_redis_and_fakeredis_return_bytes_so_the_naive_check_fails(raw_client):
    raw_client.set("order:ORD-1:status", "paid")
    assert raw_client.get("order:ORD-1:status") == b"paid"
    assert is_paid_naive(raw_client, "ORD-1") is False  # the bug the mock hid


def test_the_cache_decodes_so_a_paid_order_reads_as_paid(raw_client):
    cache = OrderStatusCache(raw_client)
    cache.remember("ORD-1", "paid")
    assert cache.status("ORD-1") == "paid" and cache.is_paid("ORD-1")
    assert cache.status("ORD-2") is None


def test_the_cache_works_with_a_decoding_client_too(redis_client):
    cache = OrderStatusCache(redis_client, prefix="t:")
    cache.remember("ORD-1", "shipped")
    assert cache.status("ORD-1") == "shipped"
    assert redis_client.pttl("t:order:ORD-1:status") > 0, "every cached status must expire"


def test_paying_an_order_commits_then_caches_with_the_fake_repository():
    repository = FakeOrderRepository()
    repository.add(ORDER)
    cache = OrderStatusCache(fakeredis.FakeRedis())
    paid = pay_order(repository, cache, "ORD-1")
    assert paid.status == "paid" and repository.commits == 1
    assert cache.status("ORD-1") == "paid"
