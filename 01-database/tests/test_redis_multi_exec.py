"""A failing command inside MULTI/EXEC fails alone: the others stay applied."""

import redis
from redis_multi_exec import transaction_with_a_failing_command


def test_a_command_that_fails_at_exec_leaves_the_others_applied(redis_client):
    results = transaction_with_a_failing_command(redis_client, prefix="t")

    assert results[0] is True and results[2] is True
    assert isinstance(results[1], redis.ResponseError)
    assert redis_client.get("t:first") == redis_client.get("t:second") == "applied"
