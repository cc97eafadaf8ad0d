"""The Flask app's protected pages: an order (object-level check) and an admin page (role).

`/orders/<id>` needs the `orders:read` permission, and then the order must be the user's own
unless their role grants `orders:read_any`; a refusal is a 404, the same as a missing order.
`/admin/users` needs `users:manage`, which only admins have.
"""

from __future__ import annotations

from auth_rbac import can_read_order, require_permission
from auth_store import Order, User
from flask import Blueprint, abort, current_app
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import Session

order_pages = Blueprint("order_pages", __name__)


@order_pages.get("/orders/<int:order_id>")
@login_required
@require_permission("orders:read")
def read_order(order_id: int) -> dict:
    with Session(current_app.extensions["auth"]["engine"]) as db:
        order = db.get(Order, order_id)
        # "not yours" answers like "not there", so ids cannot be probed for existence
        if order is None or not can_read_order(current_user.role, current_user.id, order.owner_id):
            abort(404)
        return {"id": order.id, "item": order.item}


@order_pages.get("/admin/users")
@login_required
@require_permission("users:manage")
def count_users() -> dict:
    with Session(current_app.extensions["auth"]["engine"]) as db:
        return {"users": db.scalar(select(func.count()).select_from(User))}
