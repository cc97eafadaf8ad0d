"""Redis data structures: a fixed-window rate limiter, a leaderboard, sessions in hashes."""

import time

import pytest
from redis_structures import (
    add_score,
    allow_request,
    delete_namespace,
    rank_of,
    save_session,
    session_exists,
    top_players,
    touch_session,
)

from course.redis_wire import watch_sent_commands

NOW = 1_700_000_000.0  # a fixed clock, so no test straddles a window boundary


@pytest.mark.parametrize("limit", [1, 3, 5])
def test_the_rate_limiter_allows_limit_requests_then_refuses(redis_client, limit):
    verdicts = [
        allow_request(redis_client, prefix="t", user="ada", limit=limit, window_seconds=60, now=NOW)
        for _ in range(limit + 1)
    ]

    assert verdicts == [True] * limit + [False]


@pytest.mark.parametrize("window_seconds", [10, 3600])  # shorter and longer than a minute
def test_a_new_window_starts_a_new_count(redis_client, window_seconds):
    def ask(now):
        return allow_request(
            redis_client, prefix="t", user="ada", limit=1, window_seconds=window_seconds, now=now
        )

    start = NOW // window_seconds * window_seconds  # a window's first second
    last, next_start = start + window_seconds - 1, start + window_seconds

    assert [ask(start), ask(last), ask(next_start)] == [True, False, True]


def test_each_user_has_their_own_count(redis_client):
    def ask(user):
        return allow_request(
            redis_client, prefix="t", user=user, limit=1, window_seconds=60, now=NOW
        )

    assert [ask("ada"), ask("grace"), ask("ada")] == [True, True, False]


def test_the_window_counter_expires_by_itself(redis_client):
    allow_request(redis_client, prefix="t", user="ada", limit=5, window_seconds=60, now=NOW)

    [key] = redis_client.keys("t:rate:*")
    assert 0 < redis_client.ttl(key) <= 60


def test_a_count_and_its_expiry_are_sent_as_one_multi_exec(redis_client, monkeypatch):
    # a client that dies between INCR and EXPIRE would leave a counter that never expires,
    # and a user refused for ever; a plain pipeline batches them but is no transaction
    sent = []
    watch_sent_commands(monkeypatch, lambda _connection, names: sent.append(names))

    allow_request(redis_client, prefix="t", user="ada", limit=5, window_seconds=60, now=NOW)
    save_session(redis_client, prefix="t", session_id="s1", fields={"user": "ada"}, idle_seconds=5)

    batches = [names for names in sent if len(names) > 1]  # not a new connection's handshake
    assert batches == [["MULTI", "INCRBY", "EXPIRE", "EXEC"], ["MULTI", "HSET", "EXPIRE", "EXEC"]]


def test_a_window_that_is_not_positive_is_refused(redis_client):
    for window_seconds in (0, -60):
        with pytest.raises(ValueError, match="window_seconds must be positive"):
            allow_request(
                redis_client, prefix="t", user="ada", limit=1, window_seconds=window_seconds
            )

    assert redis_client.keys("t:*") == []


def test_the_leaderboard_orders_players_by_their_total_score(redis_client):
    for player, points in [("ada", 30), ("grace", 50), ("linus", 20), ("ada", 25)]:
        add_score(redis_client, prefix="t", player=player, points=points)

    assert top_players(redis_client, prefix="t", count=2) == [("ada", 55.0), ("grace", 50.0)]
    assert rank_of(redis_client, prefix="t", player="linus") == 3
    assert rank_of(redis_client, prefix="t", player="nobody") is None


def test_a_session_hash_counts_page_views_and_refreshes_its_expiry(redis_client):
    save_session(redis_client, prefix="t", session_id="s1", fields={"user": "ada"}, idle_seconds=5)

    touch_session(redis_client, prefix="t", session_id="s1", idle_seconds=120)
    fields = touch_session(redis_client, prefix="t", session_id="s1", idle_seconds=120)

    assert fields == {"user": "ada", "page_views": "2"}
    assert 5 < redis_client.ttl("t:session:s1") <= 120  # re-armed with the idle time asked for


def test_touching_a_session_is_one_script_call(redis_client, monkeypatch):
    # check, count and re-arm in one step: split into round trips, a session that expires
    # between EXISTS and HINCRBY is recreated holding only a page count, without its user
    save_session(redis_client, prefix="t", session_id="s1", fields={"user": "ada"}, idle_seconds=5)
    sent = []
    watch_sent_commands(monkeypatch, lambda _connection, names: sent.append(names))

    touch_session(redis_client, prefix="t", session_id="s1", idle_seconds=300)

    # EVALSHA; EVAL follows only on a server that did not know the script yet
    calls = [names for names in sent if names != ["SCRIPT"]]
    assert calls[0] == ["EVALSHA"] and all(names in (["EVALSHA"], ["EVAL"]) for names in calls), (
        f"touch_session sent {calls}: one script, not separate commands"
    )


def test_an_expired_session_is_gone(redis_client):
    save_session(redis_client, prefix="t", session_id="s1", fields={"user": "ada"}, idle_seconds=60)
    assert 0 < redis_client.ttl("t:session:s1") <= 60, "a saved session expires when idle"

    redis_client.pexpire("t:session:s1", 1)  # fast-forward the idle timer to 1 ms
    time.sleep(0.05)

    assert not session_exists(redis_client, prefix="t", session_id="s1")


def test_delete_namespace_removes_only_the_keys_under_its_prefix(redis_client, monkeypatch):
    sent = []
    watch_sent_commands(monkeypatch, lambda _connection, names: sent.extend(names))
    redis_client.set("mine:a", 1)
    redis_client.set("mine:b", 2)
    redis_client.set("theirs:a", 3)
    redis_client.set("mine2:a", 4)  # another namespace that merely starts with the same letters

    assert delete_namespace(redis_client, "mine") == 2
    # KEYS walks the whole keyspace in one command, blocking every other client meanwhile
    assert "SCAN" in sent and "KEYS" not in sent, f"the lesson says SCAN, never KEYS: {sent}"
    assert sorted(redis_client.keys("*")) == ["mine2:a", "theirs:a"]


def test_touching_an_expired_session_does_not_bring_it_back(redis_client):
    save_session(redis_client, prefix="t", session_id="s1", fields={"user": "ada"}, idle_seconds=60)
    redis_client.pexpire("t:session:s1", 1)
    time.sleep(0.05)

    fields = touch_session(redis_client, prefix="t", session_id="s1", idle_seconds=300)

    # HINCRBY alone would recreate the key as {"page_views": "1"}: a session with no user,
    # alive for another 300 s
    assert fields is None
    assert not session_exists(redis_client, prefix="t", session_id="s1")


def test_the_leaderboard_is_read_with_zrange_rev_not_the_deprecated_zrevrange(redis_client):
    add_score(redis_client, prefix="t", player="ada", points=10)
    sent: list[str] = []
    original = redis_client.execute_command

    def record(*args, **options):
        sent.append(str(args[0]).upper())
        return original(*args, **options)

    redis_client.execute_command = record
    top_players(redis_client, prefix="t", count=3)

    assert sent == ["ZRANGE"]
