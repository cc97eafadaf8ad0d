"""Appends from processes running in parallel: every record whole with the lock, not without."""

import pytest
from files_locking import append_record, count_records, run_workers

WORKERS, RECORDS_EACH = 4, 100


def test_a_record_that_cannot_be_encoded_leaves_the_log_untouched(tmp_path):
    log = tmp_path / "log.jsonl"
    append_record(log, {"number": 1})

    with pytest.raises(TypeError):
        append_record(log, {"number": 2, "callback": object()})

    assert count_records(log) == (1, 0)


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
    # a race, so a run can be lucky (one busy CPU may run the workers one after another):
    # up to three runs, and one split record in any of them shows the failure
    for attempt in range(3):
        log = tmp_path / f"log-{attempt}.jsonl"
        run_workers(log, WORKERS, RECORDS_EACH, use_lock=False)
        whole, broken = count_records(log)
        if broken:
            break
    assert broken > 0 and whole < WORKERS * RECORDS_EACH, "expected records split"
