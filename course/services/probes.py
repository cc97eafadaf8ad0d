"""One real round trip to each service: a query, a PING, a bucket listing.

Each probe returns a short description of what the server answered, or raises
`ServiceUnavailable` with one line that says what is wrong and how to fix it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from course import connection_strings
from course.services.cloud_probes import probe_azure, probe_gcs
from course.settings import Settings, SettingsError, redact_url

logger = logging.getLogger(__name__)

START_HINT = "start the services with `make services-up` (or `.venv/bin/course services up`)"
PROBE_TIMEOUT_SECONDS = 3


# how a test that could not reach its service begins its failure: `course check` then says
# "cannot check" (start the services), never "not yet" (edit your code)
SERVICE_DOWN = "service down: "


class ServiceUnavailable(RuntimeError):
    """A service the lesson needs did not answer; the message names the cause and the fix."""

    def __init__(self, title: str, url: str, cause: str, fix: str = START_HINT):
        self.title, self.url, self.cause, self.fix = title, redact_url(url), cause, fix
        # what a status table shows beside the URL: the cause, then what to do about it
        self.reason = f"{cause}: {fix}"
        super().__init__(f"{self.title} is not reachable at {self.url} ({cause}): {fix}")


class ServiceMisconfigured(ServiceUnavailable, SettingsError):
    """The service's URL setting is malformed, so nothing was even tried."""

    def __init__(self, title: str, url: str, problem: str):
        self.title, self.url, self.cause, self.fix = title, redact_url(url), problem, ""
        self.reason = problem
        RuntimeError.__init__(self, problem)


def first_line(text: str) -> str:
    """The gist of a driver's error: its first line, without pymongo's topology dump."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    gist = (lines[0] if lines else "no answer").split(" (configured timeouts")[0]
    return gist.split(", Timeout: ")[0][:200]


def sqlalchemy_url_to_libpq(url: str) -> str:
    """Turn `postgresql+psycopg://...` into the `postgresql://...` form libpq understands."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgresql") else url


def probe_postgres(settings: Settings) -> str:
    """Run `SELECT version()` on the course database."""
    import psycopg

    url = sqlalchemy_url_to_libpq(settings.database_url)
    with psycopg.connect(url, connect_timeout=PROBE_TIMEOUT_SECONDS) as connection:
        (version,) = connection.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {version}"


def probe_mongo(settings: Settings) -> str:
    """Ping MongoDB and read its version."""
    import pymongo

    timeout_ms = PROBE_TIMEOUT_SECONDS * 1000
    with pymongo.MongoClient(
        settings.mongo_url, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms
    ) as client:
        client.admin.command("ping")
        hello = client.admin.command("hello")
        build = client.server_info()
    replica_set = f", replica set {hello['setName']}" if "setName" in hello else ""
    if "secantusVersion" in build:  # the embedded server: name it, not the version it mimics
        mimics = f"MongoDB {build['version']} protocol"
        return f"SecantusDB {build['secantusVersion']} ({mimics}){replica_set}"
    return f"MongoDB {build['version']}{replica_set}"


def probe_redis(settings: Settings) -> str:
    """PING Redis and read its version."""
    import redis

    client = redis.Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
        socket_timeout=PROBE_TIMEOUT_SECONDS,
    )
    with client:
        client.ping()
        server = client.info("server")
    if "valkey_version" in server:  # Valkey answers as Redis 7.2.4 and names itself here
        return f"Valkey {server['valkey_version']} (Redis {server['redis_version']} protocol), PONG"
    return f"Redis {server['redis_version']}, PONG"


def make_memcached_client(settings: Settings, **options):
    """Create a pymemcache `Client` for MEMCACHED_URL (`memcached://host:port`), short timeouts."""
    from pymemcache.client.base import Client

    parts = urlsplit(settings.memcached_url)
    return Client(
        (parts.hostname, parts.port or 11211),
        connect_timeout=PROBE_TIMEOUT_SECONDS,
        timeout=PROBE_TIMEOUT_SECONDS,
        default_noreply=False,  # wait for each answer: a probe must see failures
        **options,
    )


def probe_memcached(settings: Settings) -> str:
    """Ask Memcached for its version and item count (the `version` and `stats` commands)."""
    client = make_memcached_client(settings)
    try:
        version = client.version().decode()
        items = int(client.stats().get(b"curr_items", 0))
    finally:
        client.close()
    return f"Memcached {version}, {items} item(s)"


def make_s3_client(settings: Settings):
    """Create a boto3 S3 client for the configured endpoint (path-style, short timeouts)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        aws_access_key_id=settings.aws_access_key_id,
        aws_secret_access_key=settings.aws_secret_access_key,
        region_name=settings.aws_default_region,
        config=Config(
            s3={"addressing_style": "path"},
            connect_timeout=PROBE_TIMEOUT_SECONDS,
            read_timeout=PROBE_TIMEOUT_SECONDS * 5,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    )


def probe_s3(settings: Settings) -> str:
    """List the buckets and check that the course bucket exists."""
    bucket_names = [bucket["Name"] for bucket in make_s3_client(settings).list_buckets()["Buckets"]]
    if settings.s3_bucket not in bucket_names:
        raise RuntimeError(f"the bucket {settings.s3_bucket!r} does not exist")
    return f"S3, {len(bucket_names)} bucket(s), {settings.s3_bucket!r} present"


@dataclass(frozen=True)
class ServiceSpec:
    """What the toolkit knows about one service."""

    key: str
    title: str
    url_setting: str
    default_port: int
    probe: Callable[[Settings], str]
    # optional: `up` starts it only for a lesson that lists it, and it never fails the others
    optional: bool = False
    # the other settings its round trip reads, checked with its URL (GCS_PROJECT)
    also_checks: tuple[str, ...] = ()
    # the address inside the setting, when the setting is not a URL (a connection string)
    address: Callable[[str], str] | None = None

    @property
    def settings_checked(self) -> tuple[str, ...]:
        """The settings checked before a round trip: its URL, and those it also reads."""
        return (self.url_setting, *self.also_checks)

    def url(self, settings: Settings) -> str:
        """The address to show and to diagnose: the URL, or the connection string's endpoint."""
        value = getattr(settings, self.url_setting)
        return self.address(value) if self.address else value

    def check(self, settings: Settings) -> str:
        """Do a round trip, or raise `ServiceUnavailable` with a one-line reason."""
        from course.services.diagnosis import diagnose

        problem = next(filter(None, map(settings.url_problem, self.settings_checked)), None)
        if problem:
            raise ServiceMisconfigured(self.title, self.url(settings), problem)
        try:
            return self.probe(settings)
        except Exception as error:  # any driver error means the same thing to a learner
            logger.debug("%s probe failed", self.title, exc_info=True)
            cause, fix = diagnose(self, settings, first_line(str(error)))
            raise ServiceUnavailable(self.title, self.url(settings), cause, fix) from None


SERVICES: dict[str, ServiceSpec] = {
    spec.key: spec
    for spec in (
        ServiceSpec("postgres", "PostgreSQL", "database_url", 5432, probe_postgres),
        ServiceSpec("mongo", "MongoDB", "mongo_url", 27017, probe_mongo),
        ServiceSpec("redis", "Redis", "redis_url", 6379, probe_redis),
        ServiceSpec("s3", "S3", "s3_endpoint_url", 9000, probe_s3),
        ServiceSpec(
            "gcs", "Google Cloud Storage", "gcs_endpoint_url", 4443, probe_gcs,
            optional=True, also_checks=("gcs_project",),
        ),
        ServiceSpec(
            "azure", "Azure Blob Storage", "azure_storage_connection_string", 10000, probe_azure,
            optional=True, address=connection_strings.blob_endpoint,
        ),
        ServiceSpec(
            "memcached", "Memcached", "memcached_url", 11211, probe_memcached, optional=True
        ),
    )
}  # fmt: skip


def required_keys() -> list[str]:
    """The services every checkout runs (the optional ones only run for a lesson that asks)."""
    return [key for key, spec in SERVICES.items() if not spec.optional]
