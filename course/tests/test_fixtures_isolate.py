"""The root conftest's fixtures give every test its own namespace on every service.

Each check runs a small test file in a separate pytest: two tests write the same table, key,
collection or object, and the second asserts it sees nothing of the first. Run in a fixed
order, then in parallel, the pair shows that tests cannot see each other's data.
"""

import subprocess
import sys
import textwrap
import uuid

import pytest

from course.exercise_checks import NO_HYPOTHESIS

PAIRED_WRITERS = textwrap.dedent(
    """
    import pytest

    @pytest.mark.parametrize("writer", ["first", "second"])
    def test_postgres_table_is_private(engine, writer):
        with engine.begin() as connection:
            # CREATE TABLE fails if the other test's table were visible here
            connection.exec_driver_sql("CREATE TABLE shared (writer text)")
            connection.exec_driver_sql(f"INSERT INTO shared VALUES ('{writer}')")

    @pytest.mark.parametrize("writer", ["first", "second"])
    def test_mongo_collection_is_private(mongo_db, writer):
        assert mongo_db.shared.count_documents({}) == 0
        mongo_db.shared.insert_one({"writer": writer})

    @pytest.mark.parametrize("writer", ["first", "second"])
    def test_redis_key_is_private(redis_client, writer):
        assert redis_client.get("shared") is None
        redis_client.set("shared", writer)

    @pytest.mark.parametrize("writer", ["first", "second"])
    def test_s3_bucket_is_private(s3_client, s3_bucket, writer):
        assert s3_client.list_objects_v2(Bucket=s3_bucket)["KeyCount"] == 0
        s3_client.put_object(Bucket=s3_bucket, Key="shared", Body=writer.encode())
    """
)


@pytest.mark.parametrize(
    "order_options",
    [["-p", "no:randomly", "-n", "0"], ["-p", "no:randomly", "-n", "2"]],
    ids=["in-order", "in-parallel"],
)
def test_two_tests_writing_the_same_names_do_not_see_each_other(tmp_path, order_options):
    test_file = tmp_path / "test_paired_writers.py"
    test_file.write_text(PAIRED_WRITERS)
    result = subprocess.run(
        # -p conftest loads the course's root conftest.py for a file outside the repo
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "conftest",
            *order_options,
            "-q",
            str(test_file),
            *NO_HYPOTHESIS,
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "8 passed" in result.stdout


def test_the_second_writer_would_fail_without_isolation(tmp_path):
    """Guard the guard: the same pair sharing one namespace does fail."""
    test_file = tmp_path / "test_shared_namespace.py"
    test_file.write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.fixture(scope="module")
            def shared_database(mongo_client):
                yield mongo_client["NAME"]
                mongo_client.drop_database("NAME")

            @pytest.mark.parametrize("writer", ["first", "second"])
            def test_mongo_collection_is_private(shared_database, writer):
                assert shared_database.shared.count_documents({}) == 0
                shared_database.shared.insert_one({"writer": writer})
            """
        ).replace("NAME", f"shared_{uuid.uuid4().hex[:10]}")
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:randomly", "-q",
         str(test_file), *NO_HYPOTHESIS],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert "1 failed, 1 passed" in result.stdout
