"""Pipelines send many commands in one round trip; WATCH makes read-modify-write safe."""

import threading
import time

import pytest
import redis
import redis_pipelines
from redis.connection import AbstractConnection
from redis_pipelines import (
    TransferContended,
    measure_pipeline_speedup,
    once,
    set_in_pipeline,
    set_one_by_one,
    transfer,
    transfer_naively,
)

from course.redis_wire import command_names


@pytest.fixture
def round_trips(monkeypatch, redis_client):
    """Count the packets of commands the client sends to the server."""
    redis_client.ping()  # connect first: the connection's handshake is not part of the count
    sent = []
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    return sent


@pytest.mark.parametrize("count", [10, 100])
def test_one_by_one_costs_a_round_trip_per_command(redis_client, round_trips, count):
    set_one_by_one(redis_client, prefix="t", count=count)

    assert len(round_trips) == count


@pytest.mark.parametrize("count", [10, 100])
def test_a_pipeline_sends_every_command_in_one_round_trip(redis_client, round_trips, count):
    set_in_pipeline(redis_client, prefix="t", count=count)

    assert [command_names(packet) for packet in round_trips] == [["SET"] * count]  # no MULTI
    assert redis_client.get(f"t:key:{count - 1}") == str(count - 1)


@pytest.fixture
def balances(redis_client):
    redis_client.set("ada", 100)
    redis_client.set("grace", 0)
    return redis_client


def bonus(client):
    return lambda: client.incrby("ada", 50)


def test_the_naive_transfer_loses_a_write_made_in_between(balances):
    transfer_naively(balances, source="ada", target="grace", amount=30, between=bonus(balances))

    assert balances.get("ada") == "70"  # the +50 bonus was overwritten: a lost update


def test_watch_makes_the_transfer_retry_and_keep_the_write_made_in_between(balances):
    attempts = transfer(
        balances, source="ada", target="grace", amount=30, between=once(bonus(balances))
    )

    assert attempts == 2
    assert (balances.get("ada"), balances.get("grace")) == ("120", "30")


def test_an_undisturbed_transfer_commits_on_the_first_attempt(balances):
    assert transfer(balances, source="ada", target="grace", amount=30) == 1


def test_a_transfer_larger_than_the_balance_is_refused_and_changes_nothing(balances):
    with pytest.raises(ValueError, match="cannot move"):
        transfer(balances, source="ada", target="grace", amount=500)

    assert (balances.get("ada"), balances.get("grace")) == ("100", "0")


def test_watch_error_is_what_exec_raises_when_a_watched_key_changed(balances, redis_url):
    other = redis.Redis.from_url(redis_url)
    with balances.pipeline() as pipe:
        pipe.watch("ada")
        other.incrby("ada", 1)
        pipe.multi()
        pipe.set("ada", 0)

        with pytest.raises(redis.WatchError):
            pipe.execute()
    other.close()


def test_a_transfer_whose_source_keeps_changing_gives_up_after_its_attempts(balances, monkeypatch):
    # time.sleep is the time module's, shared by every thread of the test process: count only
    # this thread's pauses (the transfer's) and let any other thread sleep for real
    pauses, this_thread, real_sleep = [], threading.get_ident(), time.sleep

    def pause(seconds: float) -> None:
        if threading.get_ident() == this_thread:
            pauses.append(seconds)
        else:
            real_sleep(seconds)

    monkeypatch.setattr(redis_pipelines.time, "sleep", pause)
    with pytest.raises(TransferContended, match="gave up after 3 attempts"):
        transfer(
            balances, source="ada", target="grace", amount=30, between=bonus(balances), attempts=3
        )

    assert (balances.get("ada"), balances.get("grace")) == ("250", "0")  # 3 bonuses, no transfer
    assert len(pauses) == 2, "a pause before each retry, none after the last attempt"


def test_the_measurement_sends_one_packet_per_pipeline_and_one_per_set_one_by_one(
    redis_client, round_trips
):
    # what `make bench`'s ratio compares: count SETs a packet each, against one packet of them
    figures = measure_pipeline_speedup(redis_client, prefix="test:bench", count=5, repeat=2)

    packets = [command_names(packet) for packet in round_trips]
    sets = [names.count("SET") for names in packets if "SET" in names]
    # a warm-up round and two timed ones, each side once a round
    assert sorted(sets) == [1] * (5 * 3) + [5] * 3
    assert set(figures) == {"one_by_one_ms", "pipeline_ms"}


def test_the_measurement_reports_each_sides_median_not_its_best_run(redis_client, monkeypatch):
    timed = {"one_by_one": [9.0, 1.0, 5.0], "pipeline": [0.4, 0.1, 0.2]}
    monkeypatch.setattr(redis_pipelines, "alternating_ms", lambda runs, **_: timed)

    figures = measure_pipeline_speedup(redis_client, prefix="test:bench", count=5, repeat=3)

    assert figures == {"one_by_one_ms": 5.0, "pipeline_ms": 0.2}
