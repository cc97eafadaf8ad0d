"""The admin site for the shop: orders listed with their customer, status and total.

`list_select_related` makes the order list fetch each order's customer in the same query
(a JOIN): without it, showing the customer's email in every row would be an N+1.
"""

from __future__ import annotations

from django.contrib import admin

from django_shop.models import Customer, Order, OrderLine, Product


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ("product",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "status", "total_cents", "placed_at")
    list_filter = ("status",)
    list_select_related = ("customer",)
    search_fields = ("customer__email",)
    inlines = (OrderLineInline,)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "price_cents", "stock")
    search_fields = ("sku", "name")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "created_at")
    search_fields = ("email", "name")
