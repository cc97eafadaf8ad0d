"""String-formatted SQL can be injected; bound parameters and allow-lists cannot."""

import psycopg
import pytest
import sql_injection
from sqlalchemy import text
from sqlalchemy.orm import Session

EVERY_EMAIL = ["ada@example.com", "grace@example.com", "linus@example.com"]


def lookup(method: str, engine, email: str) -> list[str]:
    """Run one of the lookups, giving each the session, connection or engine it takes."""
    if method == "orm":
        with Session(engine) as session:
            return sql_injection.find_emails_orm(session, email)
    if method == "driver":
        return sql_injection.find_emails_driver(engine, email)
    with engine.connect() as connection:
        return getattr(sql_injection, f"find_emails_{method}")(connection, email)


SAFE_METHODS = ["orm", "core", "text", "driver"]


@pytest.mark.parametrize("attack", sql_injection.ATTACKS[:2])
def test_the_string_formatted_lookup_dumps_every_customer(shop, attack):
    assert sorted(lookup("UNSAFE", shop, attack)) == EVERY_EMAIL


def test_the_string_formatted_lookup_runs_a_union_chosen_by_the_attacker(shop):
    assert sorted(lookup("UNSAFE", shop, sql_injection.ATTACKS[2])) == EVERY_EMAIL


@pytest.mark.parametrize("attack", sql_injection.ATTACKS)
@pytest.mark.parametrize("method", SAFE_METHODS)
def test_a_parameterised_lookup_finds_nothing_for_an_attack_string(shop, method, attack):
    assert lookup(method, shop, attack) == []


@pytest.mark.parametrize("method", SAFE_METHODS)
def test_a_parameterised_lookup_still_finds_an_honest_email(shop, method):
    assert lookup(method, shop, "grace@example.com") == ["grace@example.com"]


@pytest.mark.parametrize("method", SAFE_METHODS)
def test_a_quote_in_an_email_is_just_a_character(shop, method):
    assert lookup(method, shop, "o'brien@example.com") == []


@pytest.mark.parametrize("method", SAFE_METHODS)
def test_a_parameterised_lookup_sends_the_value_beside_the_sql_never_inside_it(
    shop, method, monkeypatch
):
    # the right answer alone does not prove a parameter: an input escaped by hand and pasted
    # into the text finds nothing too. So read what reaches psycopg, under every layer
    sent = []
    execute = psycopg.Cursor.execute

    def record(cursor, query, params=None, **options):
        sent.append((str(query), params))
        return execute(cursor, query, params, **options)

    monkeypatch.setattr(psycopg.Cursor, "execute", record)
    email = "o'brien@example.com"
    lookup(method, shop, email)

    lookups = [(query, params) for query, params in sent if "customers" in query]
    assert lookups, "the lookup sent no query through psycopg"
    assert not [query for query, _ in lookups if "brien" in query], "the value is in the SQL"
    values = [
        value
        for _, params in lookups
        for value in (params.values() if isinstance(params, dict) else params or ())
    ]
    assert email in values, f"the value was not sent as a parameter: {lookups}"


@pytest.mark.parametrize(
    ("sort_by", "descending", "expected"),
    [
        ("email", False, EVERY_EMAIL),
        ("email", True, EVERY_EMAIL[::-1]),
        ("name", False, EVERY_EMAIL),
    ],
)
def test_customers_sort_by_an_allowed_column(shop, sort_by, descending, expected):
    with Session(shop) as session:
        emails = sql_injection.customers_sorted(session, sort_by=sort_by, descending=descending)

    assert emails == expected


def test_customers_with_the_same_name_come_in_id_order_both_ways(shop):
    with shop.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO customers (email, name) VALUES"
                " ('zz-twin@example.com', 'Twin'), ('aa-twin@example.com', 'Twin')"
            )
        )
        # a new row version for the first twin, at the end of the table: without the id in
        # ORDER BY, the tie would come back in the table's order, the second twin first
        connection.execute(text("UPDATE customers SET name = name WHERE email LIKE 'zz-twin%'"))
    with Session(shop) as session:
        ascending = sql_injection.customers_sorted(session, sort_by="name")
        descending = sql_injection.customers_sorted(session, sort_by="name", descending=True)

    twins = ["zz-twin@example.com", "aa-twin@example.com"]  # in id order
    assert [email for email in ascending if "twin" in email] == twins
    assert [email for email in descending if "twin" in email] == twins, (
        "a tie is broken by id ascending whichever way the column sorts: pages stay stable"
    )


# names that are not columns, and real columns the allow-list does not offer: a lookup with
# getattr(Customer, sort_by) would let a user sort by any mapped column
@pytest.mark.parametrize(
    "sort_by", ["password", "email; DROP TABLE customers", "1", "id", "created_at", "orders"]
)
def test_a_sort_column_outside_the_allow_list_is_refused(shop, sort_by):
    with Session(shop) as session, pytest.raises(ValueError, match="cannot sort by"):
        sql_injection.customers_sorted(session, sort_by=sort_by)
