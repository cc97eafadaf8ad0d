"""Row-level security: PostgreSQL itself hides other users' orders, behind the app's checks.

The app connects as a role that does not own the table (owners bypass policies), and tells
PostgreSQL who the user is with `set_config('app.user_id', ..., true)` for the transaction.
The policy then filters every query: code that forgets `can_read_order` gets no rows of
other users, instead of leaking them. Without a policy the same role sees everything.
`CREATE ROLE` is transactional in PostgreSQL: the tests and the demo roll it all back.
Run it to see Ada and Bob each get only their orders, and both get every order without it.
"""

from __future__ import annotations

import secrets

from auth_config import run_main
from auth_store import Order, add_user, create_schema, make_engine
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

import course
from course.sandbox import temporary_postgres_database

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


def main() -> None:
    base = course.require("postgres")
    with temporary_postgres_database(base, prefix="auth_rls") as url:
        engine = make_engine(url)
        create_schema(engine)
        with Session(engine) as session:
            ada, bob = (
                add_user(session, "ada@example.com", "h"),
                add_user(session, "bob@x.com", "h"),
            )
            session.add_all(
                [Order(owner_id=ada.id, item="tea"), Order(owner_id=bob.id, item="jam")]
            )
            session.commit()
            ada_id, bob_id = ada.id, bob.id
        print("The same query, SELECT id FROM auth_orders (no WHERE), as the app's role:")
        for with_policy, label in [(True, "with the policy"), (False, "THE WRONG WAY, no policy")]:
            role = f"auth_app_{secrets.token_hex(4)}"  # roles are server-wide: a unique name
            with engine.connect() as connection:
                create_app_role(connection, role, with_policy=with_policy)
                seen_by_ada = order_ids_seen_by(connection, role, ada_id)
                seen_by_bob = order_ids_seen_by(connection, role, bob_id)
                connection.rollback()  # the role, its grant and the policy go with it
            print(f"   {label:26} Ada sees {seen_by_ada}, Bob sees {seen_by_bob}")
        engine.dispose()
    print("Conclusion: under the policy the database itself filters the rows, so code that")
    print("forgets the owner check leaks nothing; without it, everyone sees every order.")


if __name__ == "__main__":
    course.script_arguments()
    run_main(main)
