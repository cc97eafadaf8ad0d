"""The shop's four tables as Django models, mapped onto the same tables as sql_models.py.

`db_table` names the tables as SQLAlchemy's models do, every column has the same name and
type, and every constraint the same name, so both ORMs can read one database: the tests show
that the Django and the SQLAlchemy versions of each question return the same rows. The rules
are constraints the database enforces, as in sql_models.py; `db_default` makes the server fill
a column (`now()`, `'placed'`), where `default=` would have Python fill it.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now

STATUSES = [(status, status) for status in ("placed", "paid", "shipped", "cancelled")]


class Customer(models.Model):
    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        db_table = "customers"

    def __str__(self) -> str:
        return self.email


class Product(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    price_cents = models.IntegerField()
    stock = models.IntegerField(db_default=0)
    # SQLAlchemy's version counter (version_id_col); Django does not bump it on its own, so
    # every Django write to a product says version=F("version") + 1 (the admin's save_model
    # too), or SQLAlchemy loses it; a bare save() elsewhere would not
    version = models.IntegerField(db_default=1)

    class Meta:
        db_table = "products"
        constraints = [  # noqa: RUF012  (Django's own spelling)
            models.CheckConstraint(
                condition=models.Q(price_cents__gt=0), name="ck_products_price_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(stock__gte=0), name="ck_products_stock_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.sku


class Order(models.Model):
    # PROTECT: deleting a customer who has orders is refused, as the foreign key does in SQL
    customer = models.ForeignKey(Customer, models.PROTECT, related_name="orders")
    placed_at = models.DateTimeField(db_default=Now())
    status = models.CharField(max_length=16, choices=STATUSES, db_default="placed")
    total_cents = models.IntegerField(db_default=0)

    class Meta:
        db_table = "orders"
        indexes = [  # noqa: RUF012
            models.Index(fields=["customer", "placed_at"], name="orders_customer_placed_idx")
        ]
        constraints = [  # noqa: RUF012
            models.CheckConstraint(
                condition=models.Q(status__in=[status for status, _ in STATUSES]),
                name="ck_orders_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(total_cents__gte=0), name="ck_orders_total_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"order {self.pk}"


class OrderLine(models.Model):
    # CASCADE here is Django's: it deletes the lines itself before the order, in Python
    order = models.ForeignKey(Order, models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, models.PROTECT, related_name="lines")
    quantity = models.IntegerField()
    unit_price_cents = models.IntegerField()

    class Meta:
        db_table = "order_lines"
        constraints = [  # noqa: RUF012
            models.UniqueConstraint(
                fields=["order", "product"], name="uq_order_lines_order_id_product_id"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="ck_order_lines_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price_cents__gt=0),
                name="ck_order_lines_unit_price_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"
