"""Authorization: every role against every endpoint, and object references refused."""

from __future__ import annotations

import pytest
from auth_passwords import Passwords, make_hasher
from auth_rbac import ROLE_PERMISSIONS, can_read_order, permissions_for
from auth_store import Order, add_user
from sqlalchemy.orm import Session

PASSWORD = "a long passphrase nobody guesses"
# (endpoint, whose order or None) -> the status each role must get; ada owns order 1
MATRIX = {
    "/orders/1": {"anonymous": 302, "customer": 200, "support": 200, "admin": 200},
    "/orders/2": {"anonymous": 302, "customer": 404, "support": 200, "admin": 200},
    "/orders/999": {"anonymous": 302, "customer": 404, "support": 404, "admin": 404},
    "/admin/users": {"anonymous": 302, "customer": 403, "support": 403, "admin": 200},
    "/account": {"anonymous": 302, "customer": 200, "support": 200, "admin": 200},
}


@pytest.fixture
def shop(auth_settings, auth_engine):
    """Ada (whichever role the test wants) owns order 1; Bob, a customer, owns order 2."""

    def make(role: str) -> None:
        passwords = Passwords(make_hasher(auth_settings))
        with Session(auth_engine) as session:
            ada = add_user(session, "ada@example.com", passwords.hash(PASSWORD), role)
            bob = add_user(session, "bob@example.com", passwords.hash(PASSWORD))
            session.add_all(
                [Order(owner_id=ada.id, item="tea"), Order(owner_id=bob.id, item="jam")]
            )
            session.commit()

    return make


@pytest.mark.parametrize("role", ["anonymous", "customer", "support", "admin"])
def test_every_role_gets_exactly_what_the_permission_matrix_says(shop, new_browser, role):
    shop("customer" if role == "anonymous" else role)
    browser = new_browser()
    if role != "anonymous":
        browser.post_form("/login", email="ada@example.com", password=PASSWORD)
    got = {path: browser.get(path).status_code for path in MATRIX}
    assert got == {path: statuses[role] for path, statuses in MATRIX.items()}


def test_a_refused_object_looks_exactly_like_a_missing_one(shop, new_browser):
    shop("customer")
    browser = new_browser()
    browser.post_form("/login", email="ada@example.com", password=PASSWORD)
    assert browser.get("/orders/2").get_data() == browser.get("/orders/999").get_data()


def test_an_unknown_role_has_no_permission():
    assert permissions_for("superuser") == frozenset()
    assert not can_read_order("superuser", 1, 1)


def test_roles_are_data_and_only_admins_manage_users():
    assert [role for role, granted in ROLE_PERMISSIONS.items() if "users:manage" in granted] == [
        "admin"
    ]
