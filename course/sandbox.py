"""Throwaway namespaces on the real services: a database, a bucket, a unique name.

The test fixtures use these for per-test isolation, and scripts and notebooks use them so
that running twice, or beside another learner, never mixes data. Each is removed on exit.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import urlsplit

from course.services.probes import sqlalchemy_url_to_libpq
from course.settings import Settings

ALLOW_REMOTE = "COURSE_ALLOW_REMOTE_SERVICES"


def remote_service_problem(
    title: str, setting: str, address: str, settings: Settings, environ: Mapping[str, str]
) -> str | None:
    """Why the tests refuse a service on another machine, or None for one on this machine.

    The tests create, flush and drop what they touch, and the course's variable names
    (DATABASE_URL, REDIS_URL, AZURE_STORAGE_CONNECTION_STRING) are ones a learner may
    already have exported for a real server: never wipe that server by accident.
    """
    host = urlsplit(address).hostname
    if environ.get(ALLOW_REMOTE) == "1" or host is None or host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:  # a host name other than localhost
        pass
    return (
        f"{title}: {setting.upper()} points at {host} (from {settings.source(setting)}), not "
        f"this machine, and the tests create, flush and delete data where they run: unset it "
        f"to use the course's own servers, or set {ALLOW_REMOTE}=1 if that server is yours "
        f"to wipe"
    )


def unique_name(prefix: str = "scratch") -> str:
    """A name no other run uses, e.g. `scratch_3f9a1c2b7d` (valid for databases and keys)."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@contextmanager
def temporary_postgres_database(settings: Settings, prefix: str = "scratch") -> Iterator[str]:
    """Create an empty PostgreSQL database; yield its SQLAlchemy URL; drop it on exit."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = unique_name(prefix)
    admin_url = sqlalchemy_url_to_libpq(settings.database_url)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(settings.database_url).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            # FORCE ends sessions a test or notebook left open, so the drop never hangs
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def temporary_mongo_database(mongo_client, prefix: str = "scratch"):
    """Yield a uniquely named MongoDB database; drop it on exit."""
    database = mongo_client[unique_name(prefix)]
    try:
        yield database
    finally:
        mongo_client.drop_database(database.name)


@contextmanager
def temporary_bucket(s3_client, prefix: str = "scratch") -> Iterator[str]:
    """Create a uniquely named S3 bucket; yield its name; empty and delete it on exit."""
    bucket_name = unique_name(prefix).replace("_", "-")
    s3_client.create_bucket(Bucket=bucket_name)
    try:
        yield bucket_name
    finally:
        empty_and_delete_bucket(s3_client, bucket_name)


def empty_and_delete_bucket(s3_client, bucket_name: str) -> None:
    """Delete every object version, delete marker and unfinished upload, then the bucket."""
    empty_bucket(s3_client, bucket_name)
    s3_client.delete_bucket(Bucket=bucket_name)


def empty_bucket(s3_client, bucket_name: str) -> None:
    """Delete every object version, delete marker and unfinished upload; keep the bucket."""
    uploads = s3_client.list_multipart_uploads(Bucket=bucket_name).get("Uploads", [])
    for upload in uploads:
        s3_client.abort_multipart_upload(
            Bucket=bucket_name, Key=upload["Key"], UploadId=upload["UploadId"]
        )
    # list everything first: deleting while paginating loses moto's place after page one
    pages = s3_client.get_paginator("list_object_versions").paginate(Bucket=bucket_name)
    objects = [
        {"Key": version["Key"], "VersionId": version["VersionId"]}
        for page in pages
        for version in page.get("Versions", []) + page.get("DeleteMarkers", [])
    ]
    for start in range(0, len(objects), 1000):  # delete_objects takes at most 1,000 keys
        batch = objects[start : start + 1000]
        s3_client.delete_objects(Bucket=bucket_name, Delete={"Objects": batch})
