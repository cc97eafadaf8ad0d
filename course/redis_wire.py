"""What a redis-py client sends, read off the wire, for checks that must see every command.

Every command, pipeline or MULTI/EXEC batch leaves through one method,
`AbstractConnection.send_packed_command`, as RESP bytes. Reading the command names there sees
what a patch of `execute_command` misses (pipelines, transactions), and only this test's own
process: counting on the server (INFO commandstats) would also count other test workers.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest


def command_names(packed) -> list[str]:
    """The names of the commands in RESP bytes: each is *N, then N bulk strings $len."""
    parts = [packed] if isinstance(packed, (str, bytes, memoryview)) else packed
    data = b"".join(part.encode() if isinstance(part, str) else bytes(part) for part in parts)
    names, position = [], 0
    while position < len(data):
        end = data.index(b"\r\n", position)
        count, position = int(data[position + 1 : end]), end + 2
        for index in range(count):
            end = data.index(b"\r\n", position)
            length, start = int(data[position + 1 : end]), end + 2
            if index == 0:
                names.append(data[start : start + length].decode().upper())
            position = start + length + 2
    return names


def watch_sent_commands(
    monkeypatch: pytest.MonkeyPatch, seen: Callable[[object, list[str]], None]
) -> None:
    """Call `seen(connection, names)` for every packet any redis-py connection sends."""
    from redis.connection import AbstractConnection

    original = AbstractConnection.send_packed_command

    def send(connection, command, *args, **options):
        seen(connection, command_names(command))
        return original(connection, command, *args, **options)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", send)


def watch_script_keys(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The keys (KEYS, after numkeys) of every EVAL, EVALSHA and FCALL any connection packs.

    A script that builds a key's name itself instead of receiving it in KEYS shows here as a
    call whose keys miss it: Redis requires every key a script touches to be passed (Redis
    Cluster routes the call by them, and ACLs check them). Pipelines are packed one command
    at a time too, so their scripts are seen.
    """
    import redis.connection

    calls: list[list[str]] = []

    def recording(pack):
        def record(self, *args):
            if str(args[0]).upper() in ("EVAL", "EVALSHA", "FCALL"):
                text = [arg.decode() if isinstance(arg, bytes) else str(arg) for arg in args]
                calls.append(text[3 : 3 + int(text[2])])
            return pack(self, *args)

        return record

    # every command is packed by one of the two, whichever parser the client uses
    for packer in (redis.connection.PythonRespSerializer, redis.connection.HiredisRespSerializer):
        monkeypatch.setattr(packer, "pack", recording(packer.pack))
    return calls
