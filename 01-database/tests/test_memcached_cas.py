"""A read-modify-write on a cached value: get/set loses an update, gets/cas does not."""

import json

import pytest
from memcached_cas import (
    ORDERS,
    TooMuchContention,
    append_naive,
    append_with_cas,
    race_two_writers,
    update_with_cas,
)


def test_get_then_set_loses_one_of_two_concurrent_appends(memcached_client):
    stored = race_two_writers(append_naive, memcached_client, "recent")

    assert len(stored) == 1  # the WRONG WAY: the second set overwrote the first


def test_cas_keeps_both_concurrent_appends(memcached_client):
    stored = race_two_writers(append_with_cas, memcached_client, "recent")

    assert sorted(stored) == sorted(ORDERS)


def test_two_writers_creating_a_missing_key_both_land(memcached_client):
    """No item yet, both read a miss: `add` lets one creator win; the other retries with `cas`."""
    stored = race_two_writers(append_with_cas, memcached_client, "new", existing=False)

    assert sorted(stored) == sorted(ORDERS)
    assert sorted(json.loads(memcached_client.get("new"))) == sorted(ORDERS)


def test_a_cas_with_a_stale_unique_is_refused_by_the_server(memcached_client):
    memcached_client.set("item", b"1")
    _, unique = memcached_client.gets("item")
    memcached_client.set("item", b"2")  # another writer: the unique changes

    assert memcached_client.cas("item", b"3", unique) is False  # EXISTS
    assert memcached_client.get("item") == b"2"


def test_a_writer_that_always_loses_gives_up_with_one_line(memcached_client):
    memcached_client.set("hot", b"0")

    def another_writer_first():
        memcached_client.set("hot", b"1")  # every read is followed by someone else's write

    with pytest.raises(TooMuchContention, match=r"^hot: 3 writers in a row were faster"):
        update_with_cas(
            memcached_client, "hot", lambda n: n + 1, attempts=3, between=another_writer_first
        )
