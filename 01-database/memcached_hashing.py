"""Spreading keys over several Memcached servers, and what happens when one of them dies.

Memcached servers know nothing of each other: the CLIENT picks the server for each key by
hashing the key. pymemcache's `HashClient` uses rendezvous hashing (highest random weight):
each key goes to the server with the highest hash of (server, key), so adding or removing a
server moves only the keys that server gains or loses, about 1/n of them. The naive
`hash(key) % n` moves most keys when n changes, and a cache whose keys all move is empty.

When a server dies, `HashClient` (with `ignore_exc`) answers its keys as misses, marks it
dead after `retry_attempts` connection errors (an `OSError`: refused, timed out) and rehashes
its keys onto the living servers, where they miss once and are loaded again. The keys on the
living servers keep hitting. Other errors are answered as misses WITHOUT counting: the first
call on the node client's open socket, which the dead server closed
(`MemcacheUnexpectedCloseError`), and a server
that keeps answering `SERVER_ERROR` or closing connections is never marked dead; with
`ignore_exc` a refused `set` is a silent False too. Log or count misses per server.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Sequence

from pymemcache.client.hash import HashClient
from pymemcache.client.rendezvous import RendezvousHash

import course


def make_hash_client(
    addresses: Sequence[tuple[str, int]], *, timeout_seconds: float = 0.2
) -> HashClient:
    """Create a HashClient over `addresses` that treats a dead server's keys as misses."""
    return HashClient(
        list(addresses),
        connect_timeout=timeout_seconds,
        timeout=timeout_seconds,
        ignore_exc=True,  # a failing server's reads answer None (a miss), not an exception
        retry_attempts=0,  # the first OSError (refused, timed out) marks it dead: keys move
        dead_timeout=60,  # then try it again after a minute (it may have come back empty)
        default_noreply=False,
    )


def node_name(address: tuple[str, int]) -> str:
    """The name HashClient gives a server in its hash ring: `host:port`."""
    return "%s:%s" % address  # noqa: UP031  (pymemcache's own format, kept identical)


def server_of(client: HashClient, key: str) -> str | None:
    """Return the server (`host:port`) that `client` sends `key` to now, None if none lives."""
    return client.hasher.get_node(key)


def keys_per_server(client: HashClient, keys: Iterable[str]) -> Counter[str]:
    """Count how many of `keys` each server holds."""
    return Counter(server_of(client, key) for key in keys)


def read_all(client: HashClient, keys: Iterable[str]) -> tuple[int, int]:
    """Read every key once; return (hits, misses)."""
    values = [client.get(key) for key in keys]
    hits = sum(value is not None for value in values)
    return hits, len(values) - hits


def rendezvous_owner(nodes: Sequence[str]) -> RendezvousHash:
    """A rendezvous hash ring of `nodes`, as HashClient builds one."""
    ring = RendezvousHash()
    for node in nodes:
        ring.add_node(node)
    return ring


def share_moved_rendezvous(
    keys: Sequence[str], before: Sequence[str], after: Sequence[str]
) -> float:
    """The share of keys whose server changes from `before` to `after`, rendezvous hashing."""
    old, new = rendezvous_owner(before), rendezvous_owner(after)
    return sum(old.get_node(key) != new.get_node(key) for key in keys) / len(keys)


def share_moved_modulo(keys: Sequence[str], before: Sequence[str], after: Sequence[str]) -> float:
    """The same with the naive `crc32(key) % number_of_servers` (WRONG WAY for a cache)."""

    def owner(key: str, nodes: Sequence[str]) -> str:
        return nodes[zlib.crc32(key.encode()) % len(nodes)]

    return sum(owner(key, before) != owner(key, after) for key in keys) / len(keys)


def main() -> None:
    from course.services.availability import embedded_memcached_missing
    from course.services.private import private_server

    reason = embedded_memcached_missing()  # the private servers are the `memcached` program
    if reason:
        course.skip_script(f"this script starts Memcached servers of its own: {reason}")

    keys = [f"product:{number}" for number in range(1_000)]
    print("Two private Memcached servers, one HashClient, 1,000 cached products:")
    with private_server("memcached") as first, private_server("memcached") as second:
        addresses = [("127.0.0.1", first.port), ("127.0.0.1", second.port)]
        client = make_hash_client(addresses)
        client.set_many(dict.fromkeys(keys, b"cached"))
        spread = keys_per_server(client, keys)
        print(f"1. Rendezvous hashing spreads them: {dict(spread)}")
        print(f"2. Every read hits: (hits, misses) = {read_all(client, keys)}")
        second.stop()  # the fault: one server dies
        hits, misses = read_all(client, keys)
        print(
            f"3. {node_name(addresses[1])} dies: {hits} hits, {misses} misses (its keys), no error"
        )
        print(f"   its keys now go to the survivor: {dict(keys_per_server(client, keys))}")
        client.set_many({key: b"reloaded" for key in keys if client.get(key) is None})
        print(f"4. Loaded again there, every read hits: {read_all(client, keys)}")
        client.close()
    nodes = ["cache-a:11211", "cache-b:11211"]
    three = [*nodes, "cache-c:11211"]
    print("5. A third server joins: the share of keys that move to another server")
    print(f"   rendezvous hashing: {share_moved_rendezvous(keys, nodes, three):.0%} (ideal: 1/3)")
    print(f"   WRONG WAY, crc32 % n: {share_moved_modulo(keys, nodes, three):.0%}")
    print(
        "Conclusion: the client places the keys; a dead server costs only its share of hits,"
        " and a new one moves only its share, if the hashing is consistent."
    )


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
