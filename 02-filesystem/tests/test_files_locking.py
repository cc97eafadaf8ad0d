"""Appends from processes running in parallel: every record whole with the lock, not without."""

import pytest
from files_locking import append_record, count_records, run_workers

WORKERS, RECORDS_EACH = 4, 100


def test_records_appended_in_one_process_are_counted(tmp_path):
    log = tmp_path / "log.jsonl"
    for number in range(3):
        append_record(log, {"number": number})
    with log.open("a") as file:
        file.write("{broken\n")

    assert count_records(log) == (3, 1)


@pytest.mark.slow
def test_parallel_appenders_with_the_lock_keep_every_record_whole(tmp_path):
    log = tmp_path / "log.jsonl"

    run_workers(log, WORKERS, RECORDS_EACH, use_lock=True)

    assert count_records(log) == (WORKERS * RECORDS_EACH, 0)


@pytest.mark.slow
def test_parallel_appenders_without_the_lock_split_records(tmp_path):
    log = tmp_path / "log.jsonl"

    run_workers(log, WORKERS, RECORDS_EACH, use_lock=False)

    whole, broken = count_records(log)
    assert broken > 0 and whole < WORKERS * RECORDS_EACH, "expected records split or lost"
