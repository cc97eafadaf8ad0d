"""Keys spread over two Memcached servers by the client; one server dies, the other serves."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from memcached_hashing import (
    keys_per_server,
    make_hash_client,
    node_name,
    read_all,
    server_of,
    share_moved_modulo,
    share_moved_rendezvous,
)

import course
from course.services.private import private_server

KEYS = [f"product:{number}" for number in range(200)]


@pytest.fixture
def two_servers(memcached_client):  # the fixture skips, saying how to install, without memcached
    with private_server("memcached") as first, private_server("memcached") as second:
        yield first, second


def test_a_dead_server_costs_only_its_own_keys_and_they_move_to_the_survivor(two_servers):
    first, second = two_servers
    addresses = [("127.0.0.1", first.port), ("127.0.0.1", second.port)]
    client = make_hash_client(addresses)
    client.set_many(dict.fromkeys(KEYS, b"v"))
    on_second = keys_per_server(client, KEYS)[node_name(addresses[1])]
    assert 0 < on_second < len(KEYS)  # both servers hold some keys
    direct = {node_name(address): client.clients[node_name(address)] for address in addresses}
    owner = server_of(client, "product:1")  # each key is on the server the hash names, only
    assert [name for name in direct if direct[name].get("product:1")] == [owner]
    assert read_all(client, KEYS) == (len(KEYS), 0)

    second.stop()

    assert read_all(client, KEYS) == (len(KEYS) - on_second, on_second)  # misses, no error
    assert set(keys_per_server(client, KEYS)) == {node_name(addresses[0])}
    client.set_many({key: b"again" for key in KEYS if client.get(key) is None})
    assert read_all(client, KEYS) == (len(KEYS), 0)
    client.close()


def test_a_third_server_moves_about_a_third_of_the_keys_not_two_thirds():
    keys = [f"k{number}" for number in range(3_000)]
    two, three = ["a:1", "b:1"], ["a:1", "b:1", "c:1"]

    assert 0.25 < share_moved_rendezvous(keys, two, three) < 0.42
    assert share_moved_modulo(keys, two, three) > 0.6


@pytest.mark.parametrize("script", ["memcached_hashing.py", "memcached_compare.py"])
def test_without_the_memcached_program_the_script_is_skipped_in_one_line(script, tmp_path):
    # `make run` shows a script that exits with OPTIONAL_SERVICE_MISSING as skipped, not failed
    lesson = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, str(lesson / script)],
        env={**os.environ, "PATH": str(tmp_path)},  # no `memcached` on this PATH
        capture_output=True,
        text=True,
        cwd=lesson.parent,
    )
    assert result.returncode == course.OPTIONAL_SERVICE_MISSING, result.stderr
    assert result.stderr.startswith("error: this script starts Memcached servers of its own")
    assert result.stderr.count("\n") == 1
