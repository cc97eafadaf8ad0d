"""Shared pytest fixtures: the services' settings and one isolated namespace per test.

Every test that touches a service gets its own: a fresh PostgreSQL database, a uniquely named
MongoDB database, a Redis logical database of its own worker (flushed before and after), or a
uniquely named S3 bucket. Each is removed afterwards, so tests pass in any order and in
parallel (`pytest -n 2`). When a service is down, the test fails with one line that names the
service, the URL tried and the command that starts it.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from course.lessons import discover
from course.services.probes import (
    SERVICES,
    ServiceUnavailable,
    make_s3_client,
    sqlalchemy_url_to_libpq,
)
from course.settings import Settings, SettingsError, get_settings

# Lesson modules have course-wide unique names (sql_orm, redis_cache, ...), so every lesson
# folder can sit on sys.path at once; tests and notebooks import them by name.
for lesson in discover():
    if str(lesson.path) not in sys.path:
        sys.path.insert(0, str(lesson.path))

REDIS_TEST_DATABASES = 15  # Redis has 16 logical databases; 0 is left to scripts and notebooks


def unique_suffix() -> str:
    return uuid.uuid4().hex[:10]


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


_checked: dict[str, str | None] = {}


def require_service(key: str, settings: Settings) -> None:
    """Fail the test with one line if the service is down (checked once per session)."""
    if key not in _checked:
        try:
            SERVICES[key].check(settings)
            _checked[key] = None
        except ServiceUnavailable as error:
            _checked[key] = str(error)
    if _checked[key]:
        pytest.fail(_checked[key], pytrace=False)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip `docker_only` tests in embedded mode, with the reason naming the server's gap."""
    try:
        mode = get_settings().course_services_mode
    except SettingsError:
        return  # the `settings` fixture reports the problem in every test that needs it
    if mode != "embedded":
        return
    for item in items:
        marker = item.get_closest_marker("docker_only")
        if marker:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            if not reason:
                raise pytest.UsageError(f"{item.nodeid}: docker_only needs a reason=")
            item.add_marker(pytest.mark.skip(reason=f"embedded mode: {reason}"))


# --- PostgreSQL -------------------------------------------------------------------------


@pytest.fixture
def database_url(settings: Settings) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, empty PostgreSQL database, dropped after the test."""
    import psycopg
    from sqlalchemy.engine import make_url

    require_service("postgres", settings)
    name = f"test_{unique_suffix()}"
    admin_url = sqlalchemy_url_to_libpq(settings.database_url)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (
            make_url(settings.database_url).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(database_url: str):
    """A SQLAlchemy engine on the test's own database."""
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    yield engine
    engine.dispose()


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
    database = mongo_client[f"test_{unique_suffix()}"]
    yield database
    mongo_client.drop_database(database.name)


# --- Redis ------------------------------------------------------------------------------


@pytest.fixture
def redis_url(settings: Settings) -> Iterator[str]:
    """A Redis URL on a logical database owned by this test worker, empty before and after.

    Each pytest-xdist worker runs one test at a time, so a database per worker isolates tests.
    Pub/sub channels are shared by all databases: name them with `unique_name`.
    """
    import redis

    require_service("redis", settings)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = 1 + int(worker.removeprefix("gw")) % REDIS_TEST_DATABASES
    url = urlunsplit(urlsplit(settings.redis_url)._replace(path=f"/{number}"))
    with redis.Redis.from_url(url) as client:
        client.flushdb()
        yield url
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
    bucket_name = f"test-{unique_suffix()}"
    s3_client.create_bucket(Bucket=bucket_name)
    yield bucket_name
    empty_and_delete_bucket(s3_client, bucket_name)


def empty_and_delete_bucket(s3_client, bucket_name: str) -> None:
    uploads = s3_client.list_multipart_uploads(Bucket=bucket_name).get("Uploads", [])
    for upload in uploads:
        s3_client.abort_multipart_upload(
            Bucket=bucket_name, Key=upload["Key"], UploadId=upload["UploadId"]
        )
    paginator = s3_client.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket_name):
        versions = page.get("Versions", []) + page.get("DeleteMarkers", [])
        if versions:
            s3_client.delete_objects(
                Bucket=bucket_name,
                Delete={
                    "Objects": [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]
                },
            )
    s3_client.delete_bucket(Bucket=bucket_name)


# --- names ------------------------------------------------------------------------------


@pytest.fixture
def unique_name() -> str:
    """A name no other test uses: for pub/sub channels, queues, temporary resources."""
    return f"test-{unique_suffix()}"
