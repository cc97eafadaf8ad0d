"""Test doubles beside the real thing: a fake that keeps the contract, and mocks that lie.

Running it shows, against the real PostgreSQL and Redis:
1. the fake repository and the PostgreSQL one give the same answers to the same calls;
2. a fake written from memory silently loses an order the real database refuses to overwrite;
3. a plain MagicMock lets a misspelled method pass; `create_autospec` stops it;
4. a mock told that Redis returns "paid" passes a check that real Redis (and fakeredis) fail.
"""

from __future__ import annotations

import uuid
from unittest.mock import MagicMock, create_autospec

import fakeredis
import redis
from orders_cache import OrderStatusCache, is_paid_naive
from orders_domain import DuplicateOrder, Line, Order
from orders_repository import (
    FakeOrderRepository,
    NaiveFakeOrderRepository,
    OrderRepository,
    SqlOrderRepository,
)
from orders_service import customer_total_cents_typo
from sqlalchemy.orm import Session
from testing_isolation import fresh_database

TEA, CAKE = Line("tea", 2, 450), Line("cake", 1, 1200)


def same_calls(repository: OrderRepository) -> list[object]:
    """Make the same calls on any repository; return what each call gave back."""
    answers: list[object] = []
    repository.add(Order("ORD-2", "ada", (TEA,)))
    repository.add(Order("ORD-1", "ada", (TEA, CAKE)))
    try:
        repository.add(Order("ORD-1", "bob", (CAKE,)))
    except DuplicateOrder as error:
        answers.append(f"DuplicateOrder: {error}")
    answers.append([order.reference for order in repository.list_for_customer("ada")])
    answers.append(repository.set_status("ORD-1", "paid").status)
    answers.append(repository.get("ORD-1").total_cents)
    return answers


def redis_answers(client: redis.Redis, reference: str) -> tuple[bool, bool]:
    """Store 'paid' for an order; return what the naive check and the cache say."""
    client.set(f"order:{reference}:status", "paid", px=60_000)
    return is_paid_naive(client, reference), OrderStatusCache(client).is_paid(reference)


def main() -> None:
    from course.settings import get_settings

    settings = get_settings()
    print("1. The same calls on the fake repository and on PostgreSQL:")
    fake_answers = same_calls(FakeOrderRepository())
    with fresh_database(settings.database_url, prefix="doubles") as engine, Session(engine) as s:
        real_answers = same_calls(SqlOrderRepository(s))
    print(f"   fake:       {fake_answers}")
    print(f"   PostgreSQL: {real_answers}")
    print(f"   the same: {fake_answers == real_answers}")
    print("2. A fake written from memory (THE WRONG WAY), the same calls:")
    naive_answers = same_calls(NaiveFakeOrderRepository())
    print(f"   naive fake: {naive_answers}  <- no DuplicateOrder, and ORD-1 now belongs to bob")
    print("3. customer_total_cents_typo calls repository.list_by_customer (no such method):")
    plain = MagicMock()
    plain.list_by_customer.return_value = [Order("ORD-1", "ada", (TEA,))]
    print(f"   with a plain MagicMock: total {customer_total_cents_typo(plain, 'ada')} (passes!)")
    try:
        customer_total_cents_typo(create_autospec(SqlOrderRepository, instance=True), "ada")
    except AttributeError as error:
        print(f"   with create_autospec:   AttributeError: {error}")
    print("4. is_paid_naive compares what Redis returns with 'paid':")
    mock_client = MagicMock()
    mock_client.get.return_value = "paid"
    print(f"   a MagicMock returning 'paid': is_paid_naive -> {is_paid_naive(mock_client, 'x')}")
    reference = f"demo-{uuid.uuid4().hex[:8]}"
    with redis.Redis.from_url(settings.redis_url) as real:
        naive, fixed = redis_answers(real, reference)
        real.delete(f"order:{reference}:status")
    print(f"   real Redis (returns b'paid'): is_paid_naive -> {naive}; OrderStatusCache -> {fixed}")
    naive, fixed = redis_answers(fakeredis.FakeRedis(), reference)
    print(f"   fakeredis (imitates Redis):   is_paid_naive -> {naive}; OrderStatusCache -> {fixed}")
    print("Conclusion: a fake earns its place by passing the contract test the real thing passes;")
    print("a mock knows only what its author believed, so check mocks with autospec and keep")
    print("a test against the real service for what the mock cannot know (types, constraints).")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
