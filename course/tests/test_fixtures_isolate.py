"""The root conftest's fixtures give every test its own namespace on every service.

Each check runs a small test file in a separate pytest: two tests write the same table, key,
collection or object, and the second asserts it sees nothing of the first. Run in a fixed
order, then in parallel, the pair shows that tests cannot see each other's data. The fixed-order
run goes while another pytest run holds a Redis key: two runs at once keep apart too.
"""

import subprocess
import sys
import textwrap
import time
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


HOLDER_AND_SHARED_NAMESPACE = textwrap.dedent(
    """
    import time
    from pathlib import Path

    import pytest

    SIGNALS = Path("SIGNALS_DIR")

    def test_a_key_outlives_another_run_at_once(redis_client):
        redis_client.set("shared", "holder")
        (SIGNALS / "holding").touch()
        deadline = time.monotonic() + 120
        while not (SIGNALS / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert redis_client.get("shared") == "holder", "the other run flushed this run's key"

    @pytest.fixture(scope="module")
    def shared_database(mongo_client):
        yield mongo_client["NAME"]
        mongo_client.drop_database("NAME")

    @pytest.mark.parametrize("writer", ["first", "second"])
    def test_mongo_collection_is_private(shared_database, writer):
        assert shared_database.shared.count_documents({}) == 0
        shared_database.shared.insert_one({"writer": writer})
    """
)


def run_pytest(test_file, *options: str) -> list[str]:
    """The pytest command for one test file, loading the course's root conftest.py."""
    # -p conftest loads the course's root conftest.py for a file outside the repo
    return [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:randomly", *options,
            "-q", str(test_file), *NO_HYPOTHESIS]  # fmt: skip


def wait_for(path, process: subprocess.Popen, seconds: float = 60) -> None:
    """Poll until `path` exists; fail with the process's output if it ends or time runs out."""
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{path.name} never appeared:\n{process.communicate()[0][-3000:]}")
        time.sleep(0.02)


def test_two_tests_writing_the_same_names_do_not_see_each_other_in_parallel(tmp_path):
    test_file = tmp_path / "test_paired_writers.py"
    test_file.write_text(PAIRED_WRITERS)
    result = subprocess.run(run_pytest(test_file, "-n", "2"), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "8 passed" in result.stdout


def test_two_runs_at_once_do_not_see_each_other_and_a_shared_namespace_would(tmp_path):
    """Run the paired writers in order while another run holds a Redis key, in the same
    database number had the database been picked by worker name (both serial: "gw0"): the
    writers' flushes must leave the holder's key alone. The holder's run also guards the
    guard: the same Mongo pair sharing one namespace does fail."""
    signals = tmp_path / "signals"
    signals.mkdir()
    holder_file = tmp_path / "test_holder_and_shared_namespace.py"
    holder_file.write_text(
        HOLDER_AND_SHARED_NAMESPACE.replace("SIGNALS_DIR", str(signals)).replace(
            "NAME", f"shared_{uuid.uuid4().hex[:10]}"
        )
    )
    writers_file = tmp_path / "test_paired_writers.py"
    writers_file.write_text(PAIRED_WRITERS)
    holder = subprocess.Popen(
        run_pytest(holder_file), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_for(signals / "holding", holder)
        writers = subprocess.run(run_pytest(writers_file), capture_output=True, text=True)
    finally:
        (signals / "go").touch()
        held = holder.communicate(timeout=120)[0]
    assert writers.returncode == 0, writers.stdout[-3000:]
    assert "8 passed" in writers.stdout
    assert "1 failed, 2 passed" in held, held[-3000:]
    assert "FAILED " in held and "test_mongo_collection_is_private[second]" in held, held[-3000:]
