"""Bring the services back to a clean state between two classes.

Planning is a pure function of what the services hold, so it is tested without removing
anything; execution drops what the plan lists and nothing else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from course.sandbox import empty_and_delete_bucket, empty_bucket
from course.services.probes import make_s3_client, sqlalchemy_url_to_libpq
from course.settings import Settings

logger = logging.getLogger(__name__)

KEPT_POSTGRES_DATABASES = ("postgres",)  # and template0, template1, the course database
KEPT_MONGO_DATABASES = ("admin", "local", "config")


@dataclass(frozen=True)
class CleanupPlan:
    """What a reset removes; every list is sorted so the plan reads the same each time."""

    postgres_databases_to_drop: tuple[str, ...]
    postgres_schema_to_recreate: str  # the course database, whose `public` schema is recreated
    mongo_databases_to_drop: tuple[str, ...]
    buckets_to_delete: tuple[str, ...]
    bucket_to_empty: str | None  # the course bucket, kept but emptied
    flush_redis: bool = True

    def lines(self) -> list[str]:
        """One line per removal, for the instructor to read before confirming."""
        return [
            *(f"PostgreSQL: drop database {name}" for name in self.postgres_databases_to_drop),
            f"PostgreSQL: drop and recreate schema public in {self.postgres_schema_to_recreate}",
            *(f"MongoDB: drop database {name}" for name in self.mongo_databases_to_drop),
            *(["Redis: FLUSHALL (every key, every logical database)"] if self.flush_redis else []),
            *(f"S3: empty and delete bucket {name}" for name in self.buckets_to_delete),
            *([f"S3: empty bucket {self.bucket_to_empty}"] if self.bucket_to_empty else []),
        ]


def plan_cleanup(
    *,
    postgres_databases: list[str],
    course_database: str,
    mongo_databases: list[str],
    buckets: list[str],
    course_bucket: str,
) -> CleanupPlan:
    """Decide what to remove, given what each service holds now."""
    return CleanupPlan(
        postgres_databases_to_drop=tuple(
            sorted(
                name
                for name in postgres_databases
                if name not in (*KEPT_POSTGRES_DATABASES, course_database)
                and not name.startswith("template")
            )
        ),
        postgres_schema_to_recreate=course_database,
        mongo_databases_to_drop=tuple(
            sorted(name for name in mongo_databases if name not in KEPT_MONGO_DATABASES)
        ),
        buckets_to_delete=tuple(sorted(name for name in buckets if name != course_bucket)),
        bucket_to_empty=course_bucket if course_bucket in buckets else None,
    )


def course_database_name(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).database or "postgres"


def current_plan(settings: Settings) -> CleanupPlan:
    """Ask each service what it holds, and plan the cleanup (nothing is removed here)."""
    import psycopg
    import pymongo

    with psycopg.connect(sqlalchemy_url_to_libpq(settings.database_url)) as connection:
        rows = connection.execute("SELECT datname FROM pg_database").fetchall()
    with pymongo.MongoClient(settings.mongo_url, serverSelectionTimeoutMS=5000) as client:
        mongo_databases = client.list_database_names()
    buckets = [bucket["Name"] for bucket in make_s3_client(settings).list_buckets()["Buckets"]]
    return plan_cleanup(
        postgres_databases=[name for (name,) in rows],
        course_database=course_database_name(settings),
        mongo_databases=mongo_databases,
        buckets=buckets,
        course_bucket=settings.s3_bucket,
    )


def execute_cleanup(plan: CleanupPlan, settings: Settings) -> list[str]:
    """Remove what the plan lists; return one line per removal done."""
    import psycopg
    import pymongo
    import redis
    from psycopg import sql

    done = []
    admin_url = sqlalchemy_url_to_libpq(settings.database_url)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in plan.postgres_databases_to_drop:
            # FORCE ends the sessions a learner left open, so the drop never hangs
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            admin.execute(drop)
            done.append(f"PostgreSQL: dropped database {name}")
        # the same defaults as a new database: owned by the database owner, usable by everyone
        admin.execute("DROP SCHEMA IF EXISTS public CASCADE")
        admin.execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
        admin.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
        done.append(f"PostgreSQL: recreated schema public in {plan.postgres_schema_to_recreate}")
    with pymongo.MongoClient(settings.mongo_url, serverSelectionTimeoutMS=5000) as client:
        for name in plan.mongo_databases_to_drop:
            client.drop_database(name)
            done.append(f"MongoDB: dropped database {name}")
    if plan.flush_redis:
        with redis.Redis.from_url(settings.redis_url) as client:
            client.flushall()
        done.append("Redis: FLUSHALL")
    s3_client = make_s3_client(settings)
    for name in plan.buckets_to_delete:
        empty_and_delete_bucket(s3_client, name)
        done.append(f"S3: deleted bucket {name}")
    if plan.bucket_to_empty:
        empty_bucket(s3_client, plan.bucket_to_empty)
        done.append(f"S3: emptied bucket {plan.bucket_to_empty}")
    for line in done:
        logger.info(line)
    return done
