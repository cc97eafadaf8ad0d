"""Write skew breaks a rule under READ COMMITTED and REPEATABLE READ; SERIALIZABLE stops it."""

import pytest
from sql_write_skew import (
    agents_on_duty,
    both_go_off_duty,
    both_go_off_duty_with_the_rota_locked,
    create_rota,
    go_off_duty,
    on_duty,
)


@pytest.fixture
def rota(engine):
    create_rota(engine)
    return engine


@pytest.mark.parametrize("isolation_level", ["READ COMMITTED", "REPEATABLE READ"])
def test_two_agents_going_off_at_once_leave_nobody_on_duty(rota, isolation_level):
    outcomes = both_go_off_duty(rota, isolation_level)

    assert outcomes == ["off duty", "off duty"]
    assert agents_on_duty(rota) == 0  # each check saw the other on duty: the rule is broken


def test_serializable_aborts_one_of_them_and_the_rule_holds(rota):
    outcomes = both_go_off_duty(rota, "SERIALIZABLE")

    assert sorted(outcomes) == ["off duty", "serialization failure (40001)"]
    assert agents_on_duty(rota) == 1


def test_the_retried_transaction_sees_the_rule_and_refuses(rota):
    both_go_off_duty(rota, "SERIALIZABLE")
    still_on_duty = "ada" if on_duty(rota, "ada") else "grace"

    retried = go_off_duty(rota, still_on_duty, isolation_level="SERIALIZABLE")

    assert retried == "refused: the last one on duty"
    assert agents_on_duty(rota) == 1


def test_locking_the_rows_the_rule_reads_makes_the_second_check_wait_and_refuse(rota):
    outcomes = both_go_off_duty_with_the_rota_locked(rota)

    assert outcomes == ["off duty", "refused: the last one on duty"]
    assert agents_on_duty(rota) == 1
