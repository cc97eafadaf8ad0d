"""Row-level security: PostgreSQL itself hides other users' orders, behind the app's checks.

The app connects as a role that does not own the table (owners bypass policies), and tells
PostgreSQL who the user is with `set_config('app.user_id', ..., true)` for the transaction.
The policy then filters every query: code that forgets `can_read_order` gets no rows of
other users, instead of leaking them. Without a policy the same role sees everything.
`CREATE ROLE` is transactional in PostgreSQL: the tests roll it all back.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

POLICY = (
    "CREATE POLICY own_orders ON auth_orders FOR SELECT"
    " USING (owner_id = current_setting('app.user_id', true)::int)"
)


def create_app_role(connection: Connection, role: str, *, with_policy: bool = True) -> None:
    """Create a role that may read orders, and (by default) the policy that filters them."""
    # a role name cannot be a bound parameter: it comes from the caller, never from a user
    connection.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
    connection.execute(text(f'GRANT SELECT ON auth_orders TO "{role}"'))
    if with_policy:
        connection.execute(text("ALTER TABLE auth_orders ENABLE ROW LEVEL SECURITY"))
        connection.execute(text(POLICY))


def order_ids_seen_by(connection: Connection, role: str, user_id: int) -> list[int]:
    """Return the order ids a query without any WHERE returns, as `role` acting for `user_id`."""
    with connection.begin_nested():  # SET LOCAL lasts until this savepoint's transaction ends
        connection.execute(text(f'SET LOCAL ROLE "{role}"'))
        connection.execute(
            text("SELECT set_config('app.user_id', :user_id, true)"), {"user_id": str(user_id)}
        )
        ids = connection.scalars(text("SELECT id FROM auth_orders ORDER BY id")).all()
        connection.execute(text("RESET ROLE"))
    return list(ids)
