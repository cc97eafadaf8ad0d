"""`course reset-services`: what it plans to remove, and a dry run against the real services.

It is never run for real here: other people use these services while the tests run.
"""

import pytest
from typer.testing import CliRunner

from course import instructor_commands
from course.cli import app
from course.instructor import plan_cleanup
from course.services.manager import free_port
from course.settings import get_settings

runner = CliRunner()


@pytest.fixture
def plan():
    return plan_cleanup(
        postgres_databases=["postgres", "template0", "template1", "course", "test_1a", "orm_2b"],
        course_database="course",
        mongo_databases=["admin", "config", "local", "course", "scratch_9c"],
        buckets=["course", "test-3d", "scratch-4e"],
        course_bucket="course",
    )


def test_lesson_databases_are_dropped_but_not_postgres_templates_or_the_course_database(plan):
    assert plan.postgres_databases_to_drop == ("orm_2b", "test_1a")
    assert plan.postgres_schema_to_recreate == "course"


def test_every_mongo_database_but_the_system_ones_is_dropped(plan):
    assert plan.mongo_databases_to_drop == ("course", "scratch_9c")


def test_every_bucket_but_the_course_bucket_is_deleted_and_the_course_bucket_emptied(plan):
    assert plan.buckets_to_delete == ("scratch-4e", "test-3d")
    assert plan.bucket_to_empty == "course"
    assert plan.flush_redis


def test_a_missing_course_bucket_is_not_emptied():
    plan = plan_cleanup(
        postgres_databases=[], course_database="course", mongo_databases=[], buckets=["x"],
        course_bucket="course",
    )  # fmt: skip
    assert plan.bucket_to_empty is None
    assert plan.buckets_to_delete == ("x",)


def test_the_plan_reads_as_one_line_per_removal(plan):
    assert plan.lines() == [
        "PostgreSQL: drop database orm_2b",
        "PostgreSQL: drop database test_1a",
        "PostgreSQL: drop and recreate schema public in course",
        "MongoDB: drop database course",
        "MongoDB: drop database scratch_9c",
        "Redis: FLUSHALL (every key, every logical database)",
        "S3: empty and delete bucket scratch-4e",
        "S3: empty and delete bucket test-3d",
        "S3: empty bucket course",
    ]


@pytest.fixture
def never_execute(monkeypatch):
    """Make sure a test can never remove anything, whatever the command decides."""

    def refuse(plan, settings):
        raise AssertionError("reset-services tried to remove data during a test")

    monkeypatch.setattr(instructor_commands, "execute_cleanup", refuse)


def test_a_dry_run_lists_what_it_would_remove_and_removes_nothing(
    never_execute, database_url, mongo_db, s3_client, s3_bucket
):
    mongo_db.marker.insert_one({"left": "by a learner"})
    database_name = database_url.rsplit("/", 1)[-1]
    result = runner.invoke(app, ["reset-services", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"PostgreSQL: drop database {database_name}" in result.output
    assert f"MongoDB: drop database {mongo_db.name}" in result.output
    assert f"S3: empty and delete bucket {s3_bucket}" in result.output
    assert "dry run: nothing was removed" in result.output
    assert mongo_db.marker.count_documents({}) == 1
    assert s3_bucket in [bucket["Name"] for bucket in s3_client.list_buckets()["Buckets"]]


def test_without_confirmation_nothing_is_removed(never_execute):
    result = runner.invoke(app, ["reset-services"], input="n\n")
    assert result.exit_code == 1
    assert "Remove all of this?" in result.output
    assert "removed:" not in result.output


def test_a_service_that_is_not_running_is_named_as_such_not_as_a_strangers(
    never_execute, monkeypatch
):
    port = free_port()
    settings = get_settings().model_copy(update={"s3_endpoint_url": f"http://127.0.0.1:{port}"})
    monkeypatch.setattr(instructor_commands, "get_settings", lambda: settings)
    result = runner.invoke(app, ["reset-services", "--dry-run"])
    assert result.exit_code == 1
    assert f"S3 is not reachable at http://127.0.0.1:{port}" in result.output
    assert "did not start" not in result.output
