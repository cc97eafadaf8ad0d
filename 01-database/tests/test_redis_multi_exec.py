"""A failing command inside MULTI/EXEC fails alone; one refused while queuing voids them all."""

import pytest
import redis
from redis_multi_exec import (
    batch_with_a_malformed_command,
    main,
    transaction_with_a_failing_command,
)


@pytest.fixture
def batches(monkeypatch):
    """The command names of every batch a connection packs (a pipeline, MULTI/EXEC included)."""
    packed: list[list[str]] = []
    original = redis.connection.AbstractConnection.pack_commands

    def record(connection, commands):
        commands = list(commands)
        packed.append([str(args[0]).upper() for args in commands])
        return original(connection, commands)

    monkeypatch.setattr(redis.connection.AbstractConnection, "pack_commands", record)
    return packed


def test_a_command_that_fails_at_exec_leaves_the_others_applied(redis_client, batches):
    results = transaction_with_a_failing_command(redis_client, prefix="t")

    assert results[0] is True and results[2] is True
    assert isinstance(results[1], redis.ResponseError)
    assert redis_client.get("t:first") == redis_client.get("t:second") == "applied"
    # a plain pipeline shows the same results: what makes it a transaction is MULTI ... EXEC
    assert batches == [["MULTI", "SET", "INCRBY", "SET", "EXEC"]]


def test_a_command_refused_while_queuing_makes_exec_discard_the_whole_transaction(redis_client):
    with pytest.raises(redis.ResponseError, match="wrong number of arguments"):
        batch_with_a_malformed_command(redis_client, prefix="t", transaction=True)

    assert redis_client.get("t:first") is None and redis_client.get("t:second") is None


def test_a_plain_pipeline_applies_the_commands_around_a_refused_one(redis_client):
    results = batch_with_a_malformed_command(redis_client, prefix="t", transaction=False)

    assert results[0] is True and results[2] is True
    assert isinstance(results[1], redis.ResponseError)
    assert redis_client.get("t:first") == redis_client.get("t:second") == "applied"


def test_the_malformed_transaction_shows_the_servers_execabort(capsys):
    main()

    assert "EXEC answered: EXECABORT Transaction discarded because of previous errors." in (
        capsys.readouterr().out
    )
