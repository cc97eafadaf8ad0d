"""The admin site for the shop: orders listed with their customer, status and total.

The order list fetches each order's customer in the same query (a JOIN), or showing the
customer's email in every row would be an N+1: the admin does it on its own for a foreign
key in `list_display`, and `list_select_related` says it outright. A product edited here
bumps its `version` (read-only in the form), as every other Django write in the lesson does.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import F

from django_shop.models import Customer, Order, OrderLine, Product


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ("product",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "status", "total_cents", "placed_at")
    list_filter = ("status",)
    # the default (False) calls select_related() on every foreign key once list_display has
    # one; naming them joins only these, also for a column computed by a method
    list_select_related = ("customer",)
    search_fields = ("customer__email",)
    inlines = (OrderLineInline,)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "price_cents", "stock")
    search_fields = ("sku", "name")
    readonly_fields = ("version",)  # shown, never typed in: only a write moves it

    def save_model(self, request, obj, form, change) -> None:
        """Save, bumping version on a change: SQLAlchemy's version_id_col must see staff edits."""
        if change:  # obj.save() alone leaves version as read, and a stale SQLAlchemy write wins
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "created_at")
    search_fields = ("email", "name")
