"""The Redis database lease that keeps two test runs at once on different databases.

Each test uses its own key prefix for the leases, so it never takes a database that the
suite's own workers need.
"""

import time

import pytest

from course.redis_lease import LEASED_DATABASES, RedisDatabaseLease, RedisLeaseError


@pytest.fixture
def make_lease(settings, unique_name):
    """Leases on the course's Redis under this test's own key prefix, released afterwards."""
    from conftest import require_service

    require_service("redis", settings)
    made: list[RedisDatabaseLease] = []

    def make(seconds: float = 60) -> RedisDatabaseLease:
        made.append(RedisDatabaseLease(settings.redis_url, seconds, prefix=f"{unique_name}:"))
        return made[-1]

    yield make
    for lease in made:
        lease.release()


def test_each_process_gets_its_own_database_and_the_sixteenth_gets_one_clear_line(make_lease):
    numbers = [make_lease().acquire() for _ in LEASED_DATABASES]
    assert numbers == list(LEASED_DATABASES)
    late = make_lease()
    with pytest.raises(RedisLeaseError) as refused:
        late.acquire()
    message = str(refused.value)
    assert message.startswith("all 15 Redis databases at 127.0.0.1:")
    assert "leased by other test runs (pid " in message and "\n" not in message
    assert "wait for them to finish" in message and "in database 0" in message


def wait_until_run_out(lease: RedisDatabaseLease) -> None:
    """Poll until the lease's key has expired (its TTL is a few milliseconds)."""
    deadline = time.monotonic() + 10
    while lease.lock.owned() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not lease.lock.owned()


def test_a_lease_that_runs_out_is_taken_again_unless_another_run_took_it(make_lease):
    stale = make_lease(seconds=0.05)  # as if its run were killed: never renewed nor released
    assert stale.acquire() == 1
    assert make_lease().acquire() == 2  # a live run's lease, renewed in time, stays
    wait_until_run_out(stale)
    stale.renew()  # no one took database 1 meanwhile: the same one again
    assert stale.number == 1 and stale.lock.owned()
    wait_until_run_out(stale)
    assert make_lease().acquire() == 1  # a crashed run's database is free again
    with pytest.raises(RedisLeaseError, match=r"lease on Redis database 1 ran out .* another"):
        stale.renew()
