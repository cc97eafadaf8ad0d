"""Row-level security in PostgreSQL: the database's own second line of defence."""

from __future__ import annotations

import secrets

import pytest
from auth_rls import create_app_role, order_ids_seen_by
from auth_store import Order, add_user
from sqlalchemy.orm import Session


@pytest.fixture
def two_owners(auth_engine) -> tuple[int, int]:
    with Session(auth_engine) as session:
        ada, bob = (
            add_user(session, "ada@example.com", "h"),
            add_user(session, "bob@example.com", "h"),
        )
        session.add_all([Order(owner_id=ada.id, item="tea"), Order(owner_id=ada.id, item="cake"),
                         Order(owner_id=bob.id, item="jam")])  # fmt: skip
        session.commit()
        return ada.id, bob.id


@pytest.mark.parametrize("with_policy", [True, False], ids=["with the policy", "THE WRONG WAY"])
def test_a_query_without_where_sees_only_the_users_rows_under_the_policy(
    auth_engine, two_owners, with_policy
):
    ada, bob = two_owners
    role = f"auth_app_{secrets.token_hex(4)}"  # roles are server-wide: a unique name per test
    with auth_engine.connect() as connection:
        try:
            create_app_role(connection, role, with_policy=with_policy)
            seen = (
                order_ids_seen_by(connection, role, ada),
                order_ids_seen_by(connection, role, bob),
            )
        finally:
            connection.rollback()  # the role, grant and policy were all in this transaction
    assert seen == (([1, 2], [3]) if with_policy else ([1, 2, 3], [1, 2, 3]))
