"""Appends from several processes at once, kept whole with a lock (`fcntl.flock`).

Running it starts four worker processes that append 27 KB JSON records to one shared log at
the same time. THE WRONG WAY streams each record into the file with `json.dump` and no lock:
a record larger than the file's buffer (a few KiB) leaves in several `write()` calls, and another
process's write can land between them, so records come out split and interleaved (no bytes
are lost, but the lines no longer parse). The right way builds the whole line first and
writes it in one call while holding an exclusive `flock`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

LESSON_FOLDER = Path(__file__).resolve().parent
PYTHON = [sys.executable, "-I", "-S", "-c"]  # -I -S: a quick start with the standard library
WORKER_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); import files_locking; "
    "files_locking.append_many(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == 'lock')"
)


@contextlib.contextmanager
def locked(file: IO) -> Iterator[IO]:
    """Hold an exclusive advisory lock on an open file; other `locked()` callers wait."""
    fcntl.flock(file.fileno(), fcntl.LOCK_EX)
    try:
        yield file
    finally:
        file.flush()  # the record must be on its way to disk before another process writes
        fcntl.flock(file.fileno(), fcntl.LOCK_UN)


def append_record(path: Path, record: dict) -> None:
    """Append one record as a JSON line, whole: built first, then written under the lock."""
    # encoded before the file is touched: a record json cannot encode writes nothing at all
    line = json.dumps(record) + "\n"
    # O_APPEND makes "seek to the end and write" one step, but POSIX does not promise that a
    # write is not cut short, and O_APPEND is unreliable on NFS: the lock covers both
    with open(path, "a", encoding="utf-8") as file, locked(file):
        file.write(line)


def naive_append_record(path: Path, record: dict) -> None:
    """THE WRONG WAY: stream the record into the file with no lock; others can split it."""
    with open(path, "a", encoding="utf-8") as file:
        json.dump(record, file)  # larger than the buffer: several write() calls
        file.write("\n")


def append_many(path: str, worker: str, count: int, use_lock: bool) -> None:
    """Append `count` records tagged with this worker's name (runs in a worker process)."""
    append = append_record if use_lock else naive_append_record
    # 27 KB records, larger than any file buffer: the naive writer needs several write() calls
    fields = {name: name * 9_000 for name in ("a", "b", "c")}
    print("ready", flush=True)
    sys.stdin.readline()  # wait for "go", so that every worker writes at the same time
    for number in range(count):
        append(Path(path), {"worker": worker, "number": number, **fields})


def run_workers(path: Path, workers: int, records_each: int, *, use_lock: bool) -> None:
    """Run `workers` processes in parallel, each appending `records_each` records to `path`."""
    lock_word = "lock" if use_lock else "nolock"
    arguments = [str(LESSON_FOLDER), str(path)]
    processes = [
        subprocess.Popen(
            [*PYTHON, WORKER_CODE, *arguments, f"w{index}", str(records_each), lock_word],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for index in range(workers)
    ]
    for process in processes:  # all started and waiting ...
        assert process.stdout is not None  # nosec B101  # narrows the type: stdout=PIPE
        process.stdout.readline()
    for process in processes:  # ... then all released at once
        assert process.stdin is not None  # nosec B101  # narrows the type: stdin=PIPE
        process.stdin.write("go\n")
        process.stdin.close()
    for process in processes:
        assert process.stdout is not None  # nosec B101  # narrows the type: stdout=PIPE
        process.stdout.close()
        if process.wait() != 0:
            raise RuntimeError(f"worker {process.args[6]} failed with {process.returncode}")


def count_records(path: Path) -> tuple[int, int]:
    """Count the whole records and the broken lines in a JSON Lines file."""
    whole = broken = 0
    with open(path, encoding="utf-8") as file:
        for line in file:  # one line at a time: the file may be large
            try:
                json.loads(line)
                whole += 1
            except json.JSONDecodeError:
                broken += 1
    return whole, broken


def main() -> None:
    workers, records_each = 4, 200
    expected = workers * records_each
    with tempfile.TemporaryDirectory(prefix="files_locking_") as folder:
        for number, use_lock in enumerate((False, True), start=1):
            log = Path(folder) / f"log-{number}.jsonl"
            label = "whole lines under an flock" if use_lock else "streamed, without a lock"
            print(f"{number}. {workers} processes append {records_each} records each, {label}")
            run_workers(log, workers, records_each, use_lock=use_lock)
            whole, broken = count_records(log)
            print(f"   whole records: {whole} of {expected}; broken lines: {broken}")
    print("Conclusion: O_APPEND puts each write() at the end, but a record written in several")
    print("writes is split and interleaved by the others (how many varies from run to run);")
    print("build the line first, write it once, and hold a lock while you do.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
