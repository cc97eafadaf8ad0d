"""Shared pytest fixtures: the services' settings and one isolated namespace per test.

Every test that touches a service gets its own: a fresh PostgreSQL database, a uniquely named
MongoDB database, a Redis logical database leased to its worker (flushed before and after), a
uniquely named S3 or Google Cloud Storage bucket or Azure container, a Memcached key prefix.
Each is removed afterwards, so tests pass in any order and in parallel (`pytest -n 2`). When
a service is down, the test fails with one line that names the service, the URL tried and
the command that starts it. The optional services skip instead where they cannot run here
(no Node.js for Azurite, no `memcached` program), with the reason and the way to get them.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from course.lessons import discover
from course.paths import SERVICES_DIR
from course.redis_lease import RedisDatabaseLease, RedisLeaseError, logical_database_url
from course.sandbox import (
    remote_service_problem,
    temporary_bucket,
    temporary_mongo_database,
    temporary_postgres_database,
)
from course.sandbox import unique_name as make_unique_name
from course.services.availability import embedded_missing, embedded_mongo_missing
from course.services.cloud_probes import make_blob_service_client, make_gcs_client
from course.services.cloud_sandbox import temporary_azure_container, temporary_gcs_bucket
from course.services.manager import ServiceManager
from course.services.probes import SERVICE_DOWN, SERVICES, ServiceUnavailable, make_s3_client
from course.services.servers.memcached import delete_prefixed
from course.settings import Settings, SettingsError, get_settings

# Lesson modules have course-wide unique names (sql_orm, redis_cache, ...), so every lesson
# folder can sit on sys.path at once; tests and notebooks import them by name.
for lesson in discover():
    if str(lesson.path) not in sys.path:
        sys.path.insert(0, str(lesson.path))

MONGO_NOTEBOOK = re.compile(r"MongoClient|import mongo|from mongo")  # a notebook that needs it
MEMCACHED_NOTEBOOK = re.compile(r"check_services\([^)]*memcached")  # its first cell names it


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The course's settings, from the environment and `.env`."""
    try:
        return get_settings()
    except SettingsError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def services_mode(settings: Settings) -> str:
    """ "docker" or "embedded": which kind of servers the tests talk to."""
    return settings.course_services_mode


_checked: dict[str, str | None] = {}  # per service: why its tests fail, or None


def mongo_missing_reason(settings: Settings) -> str | None:
    """Why MongoDB tests skip: embedded mode on a Python with no embedded MongoDB server."""
    if settings.course_services_mode != "embedded":
        return None
    return embedded_mongo_missing()


def require_service(key: str, settings: Settings) -> None:
    """Fail the test with one line if the service is down or on another machine (once a session)."""
    reason = mongo_missing_reason(settings) if key == "mongo" else None
    if reason:
        pytest.skip(reason)
    if key not in _checked:
        _checked[key] = service_problem(key, settings)
    if _checked[key]:
        pytest.fail(f"{SERVICE_DOWN}{_checked[key]}", pytrace=False)


def service_problem(key: str, settings: Settings) -> str | None:
    """Why tests may not use a service: on another machine, or not answering; else None."""
    spec = SERVICES[key]
    remote = remote_service_problem(
        spec.title, spec.url_setting, spec.url(settings), settings, os.environ
    )
    if remote:
        return remote
    try:
        spec.check(settings)
    except ServiceUnavailable as error:
        return str(error)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip `docker_only` tests in embedded mode, with the reason naming the server's gap."""
    try:
        settings = get_settings()
    except SettingsError:
        return  # the `settings` fixture reports the problem in every test that needs it
    if settings.course_services_mode != "embedded":
        return
    skip_mongo_notebooks(items, mongo_missing_reason(settings))
    skip_notebooks(items, MEMCACHED_NOTEBOOK, embedded_missing("memcached", SERVICES_DIR))
    for item in items:
        marker = item.get_closest_marker("docker_only")
        if marker:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            if not reason:
                raise pytest.UsageError(f"{item.nodeid}: docker_only needs a reason=")
            item.add_marker(pytest.mark.skip(reason=f"embedded mode: {reason}"))


def skip_notebooks(items: list[pytest.Item], needs: re.Pattern, reason: str | None) -> None:
    """Skip the notebooks that need a service that cannot run here (no `memcached`)."""
    if not reason:
        return
    for item in items:
        if item.path.suffix == ".ipynb" and needs.search(item.path.read_text()):
            item.add_marker(pytest.mark.skip(reason=reason))


def skip_mongo_notebooks(items: list[pytest.Item], reason: str | None) -> None:
    """Skip the notebooks that talk to MongoDB when no embedded MongoDB runs here."""
    if not reason:
        return
    for item in items:
        if item.path.suffix == ".ipynb" and MONGO_NOTEBOOK.search(item.path.read_text()):
            item.add_marker(pytest.mark.skip(reason=reason))


# --- PostgreSQL -------------------------------------------------------------------------


@pytest.fixture
def database_url(settings: Settings) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, empty PostgreSQL database, dropped after the test."""
    require_service("postgres", settings)
    with temporary_postgres_database(settings, prefix="test") as url:
        yield url


@pytest.fixture
def engine(database_url: str):
    """A SQLAlchemy engine on the test's own database."""
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    yield engine
    engine.dispose()


# --- Django (01-database part 3) ---------------------------------------------------------


@pytest.fixture(scope="session")
def django_database(settings: Settings) -> Iterator[str]:
    """A database with the shop's tables for this worker's Django tests; dropped at the end.

    Django's settings are configured once per process (django_project.py), so the Django tests
    of one worker share a database; each test empties the shop's tables first, and the admin's
    tests migrate the admin's apps too.
    """
    from django_project import SHOP, temporary_django_database

    require_service("postgres", settings)
    with temporary_django_database(
        settings, prefix="test_django", apps=SHOP, fast_hashing=True
    ) as url:
        yield url


# --- Browser (the site check, 01-database's admin) -----------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    """Chromium's path; skip (or in CI, fail) with how to enable the check when it is absent."""
    from course.browser import REQUIRE_VARIABLE, browser_required, find_chromium

    search = find_chromium()
    if search.path:
        return search.path
    message = f"browser check: {search.reason}"
    if browser_required():
        pytest.fail(f"{message} ({REQUIRE_VARIABLE}=1 requires the browser)", pytrace=False)
    pytest.skip(message)


# --- MongoDB ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def mongo_client(settings: Settings):
    """One MongoClient for the whole session, as an application would hold one."""
    import pymongo

    require_service("mongo", settings)
    client = pymongo.MongoClient(settings.mongo_url, serverSelectionTimeoutMS=5000, tz_aware=True)
    yield client
    client.close()


@pytest.fixture
def mongo_db(mongo_client):
    """A uniquely named MongoDB database, dropped after the test."""
    with temporary_mongo_database(mongo_client, prefix="test") as database:
        yield database


# --- Redis ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_lease(settings: Settings) -> Iterator[RedisDatabaseLease]:
    """This worker's lease on a logical database of its own, for the whole session.

    Leased, not picked by the worker's name: another pytest run on the same Redis (a second
    terminal, a lesson script running the suite) has workers named gw0 too.
    """
    require_service("redis", settings)
    lease = RedisDatabaseLease(settings.redis_url)
    try:
        lease.acquire()
    except RedisLeaseError as error:
        lease.release()
        pytest.fail(str(error), pytrace=False)
    yield lease
    lease.release()


@pytest.fixture
def redis_url(settings: Settings, redis_lease: RedisDatabaseLease) -> Iterator[str]:
    """A Redis URL on a logical database leased to this test process, empty before and after.

    Each process runs one test at a time, so a database per process isolates tests, within
    one run and across runs at once. Pub/sub channels are shared by all databases: name them
    with `unique_name`.
    """
    import redis

    try:
        redis_lease.renew()
    except RedisLeaseError as error:
        pytest.fail(str(error), pytrace=False)
    url = logical_database_url(settings.redis_url, redis_lease.number)
    with redis.Redis.from_url(url) as client:
        client.flushdb()
        yield url
        try:
            redis_lease.renew()  # never flush a database that another run took meanwhile
        except RedisLeaseError as error:
            pytest.fail(str(error), pytrace=False)
        client.flushdb()


@pytest.fixture
def redis_client(redis_url: str):
    """A Redis client (strings decoded) on the test's own logical database."""
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


# --- S3 ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_client(settings: Settings):
    """A boto3 S3 client for the configured endpoint."""
    require_service("s3", settings)
    return make_s3_client(settings)


@pytest.fixture
def s3_bucket(s3_client) -> Iterator[str]:
    """A uniquely named S3 bucket, emptied (every version) and deleted after the test."""
    with temporary_bucket(s3_client, prefix="test") as bucket_name:
        yield bucket_name


# --- Google Cloud Storage and Azure Blob Storage (optional emulators) ----------------------


def require_optional_service(key: str, settings: Settings) -> None:
    """Skip where the emulator cannot run here, or no lesson asked for it (saying how to get
    it); else fail with one line when it is down, as `require_service` does."""
    reason = embedded_missing(key, SERVICES_DIR)
    if reason and settings.course_services_mode == "embedded":
        pytest.skip(reason)
    if key not in ServiceManager().wanted_keys():
        try:
            SERVICES[key].check(settings)
        except ServiceUnavailable as error:
            pytest.skip(
                f"{SERVICES[key].title} is optional and no lesson here lists it, so `make test` "
                f"did not start it ({error.cause}): `.venv/bin/course services up {key}` does"
            )
    require_service(key, settings)


@pytest.fixture(scope="session")
def gcs_client(settings: Settings):
    """A `google.cloud.storage.Client` for the emulator, with `AnonymousCredentials`."""
    require_optional_service("gcs", settings)
    return make_gcs_client(settings)


@pytest.fixture
def gcs_bucket(gcs_client):
    """A uniquely named Google Cloud Storage bucket (a `Bucket`), deleted with its blobs after."""
    with temporary_gcs_bucket(gcs_client, prefix="test") as bucket:
        yield bucket


@pytest.fixture(scope="session")
def azure_service_client(settings: Settings):
    """A `BlobServiceClient` from the connection string (Azurite's development account)."""
    require_optional_service("azure", settings)
    client = make_blob_service_client(settings)
    yield client
    client.close()


@pytest.fixture
def azure_container(azure_service_client):
    """A uniquely named Azure container (a `ContainerClient`), deleted with its blobs after."""
    with temporary_azure_container(azure_service_client, prefix="test") as container:
        yield container


# --- Memcached (optional) ----------------------------------------------------------------


@pytest.fixture
def memcached_client(settings: Settings):
    """A pymemcache `PooledClient` with a key prefix of the test's own, its keys deleted after.

    Memcached has no databases to give each test, so the prefix isolates it, and teardown
    deletes exactly the keys under that prefix (listed with `lru_crawler metadump`), never
    `flush_all`: a learner's other keys on the same server stay. Skipped, saying how to
    install it, where no `memcached` program exists.
    """
    from pymemcache.client.base import PooledClient

    require_optional_service("memcached", settings)
    prefix = make_unique_name("test") + ":"
    address = urlsplit(settings.memcached_url)
    client = PooledClient(
        (address.hostname, address.port or 11211),
        key_prefix=prefix.encode(),
        connect_timeout=5,
        timeout=5,
        max_pool_size=16,  # thread-safe: a test may share it between threads
        default_noreply=False,  # wait for each reply, so `add` and `cas` tell the truth
    )
    yield client
    delete_prefixed(client, prefix)
    client.close()


# --- names ------------------------------------------------------------------------------


@pytest.fixture
def unique_name() -> str:
    """A name no other test uses: for pub/sub channels, queues, temporary resources."""
    return make_unique_name("test").replace("_", "-")
