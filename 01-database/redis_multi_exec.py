"""MULTI/EXEC is all-or-nothing only for getting queued: a failing command does not roll back.

Run `python 01-database/redis_multi_exec.py`. A transaction of three commands, the middle one
an INCR of a key that holds text: EXEC runs all three, the INCR fails alone, and the two SETs
around it stay applied. Redis has no rollback (its documentation says so: errors inside a
transaction are programming errors). Only an error Redis sees while queuing (an INCR with no
key: a wrong number of arguments) makes EXEC discard them all (`EXECABORT`); the same three
commands in a plain pipeline apply the SETs around it. Atomicity here means no other client's
command runs in between; correctness is still yours: validate before, or do the
read-check-write in one Lua script, which stops at its first error (having applied the
writes before it).
"""

from __future__ import annotations

import redis


def transaction_with_a_failing_command(client: redis.Redis, *, prefix: str) -> list[object]:
    """Run SET, a failing INCR, SET in one MULTI/EXEC; return each command's result."""
    client.set(f"{prefix}:label", "not a number")
    with client.pipeline(transaction=True) as pipe:
        pipe.set(f"{prefix}:first", "applied")
        pipe.incr(f"{prefix}:label")  # fails at EXEC time: the value is not an integer
        pipe.set(f"{prefix}:second", "applied")
        return pipe.execute(raise_on_error=False)


def batch_with_a_malformed_command(
    client: redis.Redis, *, prefix: str, transaction: bool
) -> list[object]:
    """Send SET, an INCR with no argument, SET in one batch; return each result, or raise."""
    with client.pipeline(transaction=transaction) as pipe:
        pipe.set(f"{prefix}:first", "applied")
        pipe.execute_command("INCR")  # refused while queuing: wrong number of arguments
        pipe.set(f"{prefix}:second", "applied")
        # in MULTI this raises: EXEC answers EXECABORT and redis-py raises the queuing error
        return pipe.execute(raise_on_error=False)


def main() -> None:
    from redis_structures import delete_namespace

    import course
    from course.sandbox import unique_name

    settings = course.require("redis")
    prefix = unique_name("redis_multi_exec")
    with redis.Redis.from_url(settings.redis_url, decode_responses=True) as client:
        results = transaction_with_a_failing_command(client, prefix=prefix)
        print("1. MULTI; SET first; INCR label (holds text); SET second; EXEC")
        print(
            f"   results: {[type(r).__name__ if isinstance(r, Exception) else r for r in results]}"
        )
        first, second = client.get(f"{prefix}:first"), client.get(f"{prefix}:second")
        print(f"   first = {first!r}, second = {second!r}: no rollback")
        delete_namespace(client, prefix)
        print("2. MULTI; SET first; INCR with no argument; SET second; EXEC")
        try:
            batch_with_a_malformed_command(client, prefix=prefix, transaction=True)
        except redis.ResponseError as error:
            print(f"   {type(error).__name__}: {str(error).splitlines()[0]}")
            # redis-py catches the server's EXECABORT reply to EXEC and raises the queuing error
            # in its place, so the EXECABORT is the raised error's context
            if isinstance(error.__context__, redis.exceptions.ExecAbortError):
                print(f"   (EXEC answered: EXECABORT {error.__context__}")
                print("   redis-py turned that ExecAbortError into the queuing error above)")
        first, second = client.get(f"{prefix}:first"), client.get(f"{prefix}:second")
        print(f"   first = {first!r}, second = {second!r}: EXEC discarded them all")
        results = batch_with_a_malformed_command(client, prefix=prefix, transaction=False)
        print("3. Step 2's three commands in a plain pipeline (transaction=False):")
        print(
            f"   results: {[type(r).__name__ if isinstance(r, Exception) else r for r in results]}"
        )
        first, second = client.get(f"{prefix}:first"), client.get(f"{prefix}:second")
        print(f"   first = {first!r}, second = {second!r}: batched, not atomic")
        delete_namespace(client, prefix)
    print("Conclusion: MULTI/EXEC isolates a batch from other clients but does not undo it;")
    print("check inputs first, or put read-check-write logic in one Lua script.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
