"""Authorization: roles and permissions as data, checked at the edge and per object.

A role grants permissions; an endpoint requires one. `require_permission` does it for Flask
(a decorator) and `Permission` for FastAPI (a dependency on the token's scopes). Object-level
checks come on top: a customer may read orders, but only their own. A refused object answers
404, not 403, so that probing ids does not reveal which orders exist (ASVS V4 / V8).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "customer": frozenset({"orders:read", "profile:read"}),
    "support": frozenset({"orders:read", "orders:read_any", "profile:read"}),
    "admin": frozenset(
        {"orders:read", "orders:read_any", "profile:read", "users:manage", "audit:read"}
    ),
}


def permissions_for(role: str) -> frozenset[str]:
    """Return the permissions a role grants (none for an unknown role: deny by default)."""
    return ROLE_PERMISSIONS.get(role, frozenset())


def can_read_order(role: str, user_id: int, owner_id: int) -> bool:
    """Return whether a user of `role` may read an order owned by `owner_id`."""
    granted = permissions_for(role)
    return "orders:read_any" in granted or ("orders:read" in granted and user_id == owner_id)


def require_permission(permission: str) -> Callable:
    """Return a Flask view decorator that answers 403 unless the user's role grants it."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if permission not in permissions_for(current_user.role):
                from auth_audit import audit

                audit("access_denied", user_id=current_user.id, reason=permission)
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator
