"""The embedded servers, one module each, behind the one interface of `base.Server`.

Adding a service (a cloud emulator, Memcached) is adding a module and a line here.
"""

from __future__ import annotations

from course.services.servers.azure import AzureServer
from course.services.servers.base import Server, ServiceStartError, StartCancelled
from course.services.servers.gcs import GcsServer
from course.services.servers.memcached import MemcachedServer
from course.services.servers.mongo import MongoServer
from course.services.servers.postgres import PostgresServer
from course.services.servers.redis import RedisServer
from course.services.servers.s3 import S3Server

__all__ = ["Server", "ServiceStartError", "StartCancelled", "embedded_servers"]


def embedded_servers() -> dict[str, Server]:
    """One server object per service key, in the order of `SERVICES`."""
    return {
        "postgres": PostgresServer(),
        "mongo": MongoServer(),
        "redis": RedisServer(),
        "s3": S3Server(),
        "gcs": GcsServer(),
        "azure": AzureServer(),
        "memcached": MemcachedServer(),
    }
