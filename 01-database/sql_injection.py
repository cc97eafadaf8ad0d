"""SQL injection, shown for real, and the four safe ways to pass a value to a query.

Run `python 01-database/sql_injection.py`. You will see a customer lookup that builds its SQL
by string formatting (the WRONG way, labelled as such) return every customer when the "email"
typed in is `' OR '1'='1`. Then the same lookup with bound parameters (ORM, Core, text() with
bindparams, and the psycopg driver's own `%s` placeholders) finds nobody for the same input:
the value travels beside the SQL, never inside it. Last, a sort column chosen by the user,
which cannot be a bound parameter, is checked against an allow-list.
"""

from __future__ import annotations

from sql_models import Customer, make_engine
from sql_orm import create_sample_shop
from sqlalchemy import Connection, Engine, bindparam, select, text
from sqlalchemy.orm import Session

import course
from course.sandbox import temporary_postgres_database

ATTACKS = [
    "' OR '1'='1",
    "nobody@example.com' OR 1=1 --",
    "x' UNION SELECT email FROM customers --",
]


def find_emails_UNSAFE(connection: Connection, email: str) -> list[str]:
    """WRONG, for demonstration only: the input is pasted into the SQL text."""
    sql = f"SELECT email FROM customers WHERE email = '{email}'"  # nosec B608  # the vulnerable query, exploited on purpose
    return list(connection.exec_driver_sql(sql).scalars())


def find_emails_orm(session: Session, email: str) -> list[str]:
    """Safe: the ORM always sends values as bound parameters."""
    return list(session.scalars(select(Customer.email).where(Customer.email == email)))


def find_emails_core(connection: Connection, email: str) -> list[str]:
    """Safe: Core, the same bound parameter without mapped classes."""
    customers = Customer.__table__
    statement = select(customers.c.email).where(customers.c.email == email)
    return list(connection.execute(statement).scalars())


FIND_EMAILS_SQL = text("SELECT email FROM customers WHERE email = :email").bindparams(
    bindparam("email", type_=Customer.email.type)
)


def find_emails_text(connection: Connection, email: str) -> list[str]:
    """Safe: hand-written SQL with a named placeholder, filled by the driver."""
    return list(connection.execute(FIND_EMAILS_SQL, {"email": email}).scalars())


def find_emails_driver(engine: Engine, email: str) -> list[str]:
    """Safe: the DB-API driver (psycopg) with its own `%s` placeholder, no SQLAlchemy."""
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            # the placeholder is %s whatever the type, and it is NOT Python's % formatting
            cursor.execute("SELECT email FROM customers WHERE email = %s", (email,))
            return [email for (email,) in cursor.fetchall()]
    finally:
        raw.close()


SORTABLE_COLUMNS = {"name": Customer.name, "email": Customer.email, "joined": Customer.created_at}


def customers_sorted(session: Session, *, sort_by: str, descending: bool = False) -> list[str]:
    """Return emails sorted by a column the user names, checked against an allow-list."""
    # a column name cannot be a bound parameter, so it is looked up, never interpolated
    column = SORTABLE_COLUMNS.get(sort_by)
    if column is None:
        raise ValueError(f"cannot sort by {sort_by!r}; choose one of {sorted(SORTABLE_COLUMNS)}")
    order = column.desc() if descending else column.asc()
    return list(session.scalars(select(Customer.email).order_by(order, Customer.id)))


def main() -> None:
    settings = course.require("postgres")
    with temporary_postgres_database(settings, prefix="sql_injection") as url:
        engine = make_engine(url)
        create_sample_shop(engine)
        with Session(engine) as session:
            attack = ATTACKS[0]
            print(f"1. An honest lookup finds one: {find_emails_orm(session, 'ada@example.com')}")
            with engine.connect() as connection:
                leaked = find_emails_UNSAFE(connection, attack)
                print(f"2. WRONG: string formatting with the input {attack!r} returns:")
                print(f"   {leaked}  <- every customer in the table")
                print("3. The same input with bound parameters finds nobody:")
                print(f"   ORM:    {find_emails_orm(session, attack)}")
                print(f"   Core:   {find_emails_core(connection, attack)}")
                print(f"   text(): {find_emails_text(connection, attack)}")
            print(f"   driver: {find_emails_driver(engine, attack)}")
            print(f"4. Sort by a chosen column: {customers_sorted(session, sort_by='name')}")
            try:
                customers_sorted(session, sort_by="name; DROP TABLE customers")
            except ValueError as error:
                print(f"   an unknown column is refused: {error}")
        engine.dispose()
    print("Conclusion: never build SQL from input; pass values as parameters, and pick")
    print("identifiers (columns, directions) from an allow-list.")


if __name__ == "__main__":
    course.script_arguments()
    main()
