"""The admin, served by runserver in its own process: staff log in and see the orders.

The browser test opens the admin in the headless Chromium that the course's site check uses
(course/browser.py); without one it skips with the same reason (in CI, where
COURSE_REQUIRE_BROWSER=1, it fails instead).
"""

import pytest
from django_admin_site import ORDERS_PAGE, create_admin, orders_listed, running_admin
from django_orm import add_sample_shop
from django_project import empty_shop, migrate
from sql_models import Product, make_engine
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from course.browser import ARGS

PASSWORD = "a-test-password-1"
# one worker starts the server for all three tests (`course test` runs --dist=loadgroup)
pytestmark = pytest.mark.xdist_group("django-admin")


@pytest.fixture(scope="module")
def admin_site(django_database):
    """The sample shop and a superuser `staff`, served by runserver on a free port."""
    migrate()  # the admin's apps (auth, sessions...): the worker's database has the shop's only
    empty_shop()
    add_sample_shop()
    create_admin("staff", PASSWORD)
    with running_admin(django_database, fast_hashing=True) as base_url:
        yield base_url


def test_staff_log_in_through_the_form_and_see_every_order(admin_site):
    assert orders_listed(admin_site, "staff", PASSWORD) == "3 orders"


def test_a_wrong_password_shows_no_orders(admin_site):
    assert orders_listed(admin_site, "staff", "wrong").startswith("no order count")


def test_staff_log_in_in_a_browser_and_list_the_orders(admin_site, chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=list(ARGS))
        try:
            page = browser.new_page()
            page.goto(f"{admin_site}{ORDERS_PAGE}")  # not logged in: the login form
            page.fill("#id_username", "staff")
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(f"**{ORDERS_PAGE}")
            rows = page.locator("#result_list tbody tr")
            listed = page.inner_text("#result_list")
            assert rows.count() == 3
            assert "grace@example.com" in listed and "ada@example.com" in listed
        finally:
            browser.close()


@pytest.fixture
def staff_client(admin_site):
    """Django's test client, in this process, logged in as `staff` (no login form: force_login)."""
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(SERVER_NAME="localhost")  # ALLOWED_HOSTS has no "testserver"
    client.force_login(User.objects.get(username="staff"))
    return client


def test_a_restock_in_the_admin_is_not_overwritten_by_a_stale_sqlalchemy_write(
    staff_client, django_database
):
    from django_shop.models import Product as DjangoProduct

    keyboard = DjangoProduct.objects.create(
        sku="ADM-01", name="Keyboard", price_cents=100, stock=10
    )
    engine = make_engine(django_database)
    try:
        with Session(engine) as session:
            product = session.scalars(select(Product).where(Product.sku == "ADM-01")).one()
            form = {"sku": "ADM-01", "name": "Keyboard", "price_cents": 100, "stock": 50}
            form["version"] = product.version  # what the form held, if it still shows the field
            page = f"/admin/django_shop/product/{keyboard.pk}/change/"
            assert staff_client.post(page, form).status_code == 302  # saved, back to the list
            product.stock -= 1

            with pytest.raises(StaleDataError):
                session.commit()
    finally:
        engine.dispose()

    assert DjangoProduct.objects.get(pk=keyboard.pk).stock == 50  # the restock stands


def test_the_order_list_fetches_the_customers_in_the_same_query(staff_client):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django_shop.models import Customer, Order

    def queries_for_the_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(ORDERS_PAGE).status_code == 200
        return len(queries)

    with transaction.atomic():  # rolled back: the other tests see the 3 sample orders
        three = queries_for_the_list()
        for n in range(5):
            customer = Customer.objects.create(email=f"n{n}@example.com", name=f"N{n}")
            Order.objects.create(customer=customer)
        eight = queries_for_the_list()
        transaction.set_rollback(True)

    assert eight == three  # an N+1 would add one query per order's customer
