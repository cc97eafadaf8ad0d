"""Text, encodings and the formats a backend meets: CSV, JSON, JSON Lines, SQLite.

Running it shows a `UnicodeDecodeError` and its fix (the file's real encoding), what
`newline=""` changes, CSV read and written with `csv`, a JSON document, a JSON Lines file
streamed one record at a time, and `sqlite3` as a whole database in one file.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path


def write_csv(path: Path, rows: Iterable[dict], fieldnames: list[str]) -> None:
    """Write dict rows as CSV; newline="" lets csv write its own line endings."""
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read CSV rows as dicts (every value is a string: convert where you use it)."""
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def write_jsonl(path: Path, records: Iterable[dict]) -> int:
    """Write one JSON document per line; return how many were written."""
    count = 0
    with open(path, "w", encoding="utf-8") as file:
        for record in records:
            file.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def read_jsonl(path: Path) -> Iterator[dict]:
    """Yield the records of a JSON Lines file one at a time: memory stays flat."""
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}, line {number}: not JSON ({error.msg})") from None


def total_units(database: Path) -> int:
    """Sum a column in a SQLite file: a real SQL database with no server."""
    with closing(sqlite3.connect(database)) as connection:
        (total,) = connection.execute("SELECT coalesce(sum(units), 0) FROM sales").fetchone()
    return total


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="files_formats_") as folder:
        base = Path(folder)
        legacy = base / "legacy.txt"
        legacy.write_bytes("Crème brûlée, 4 €\n".encode("cp1252"))  # an old Windows export
        print("1. Reading a cp1252 file as UTF-8 (the usual default) ...")
        try:
            legacy.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            print(f"   UnicodeDecodeError: {error.reason} at byte {error.start}")
        print(f"   with encoding='cp1252': {legacy.read_text(encoding='cp1252').strip()!r}")
        windows = base / "windows.txt"
        windows.write_bytes(b"one\r\ntwo\r\n")
        translated = windows.read_text(encoding="ascii").splitlines(keepends=True)
        print(f"2. Newlines: the default mode translates them: {translated!r},")
        with open(windows, encoding="ascii", newline="") as file:
            print(f"   newline='' keeps them: {file.read().splitlines(keepends=True)!r}")
        rows = [{"sku": "KB-01", "units": 3, "note": 'says "hi", twice'}]
        write_csv(base / "sales.csv", rows, ["sku", "units", "note"])
        print(f"3. CSV quotes what needs it: {(base / 'sales.csv').read_text().splitlines()[1]}")
        print(f"   read back: {read_csv(base / 'sales.csv')}")
        (base / "config.json").write_text(json.dumps({"debug": False, "port": 8000}, indent=2))
        print(f"4. JSON: {json.loads((base / 'config.json').read_text())}")
        events = ({"n": n, "event": "click"} for n in range(100_000))
        count = write_jsonl(base / "events.jsonl", events)
        clicks = sum(1 for record in read_jsonl(base / "events.jsonl") if record["event"])
        print(f"5. JSON Lines: wrote {count:,} records, streamed back {clicks:,}, one at a time")
        database = base / "shop.sqlite3"
        with closing(sqlite3.connect(database)) as connection, connection:
            connection.execute("CREATE TABLE sales (sku TEXT, units INTEGER)")
            connection.executemany("INSERT INTO sales VALUES (?, ?)", [("KB-01", 3), ("MS-01", 4)])
        print(
            f"6. SQLite in one file ({database.stat().st_size:,} bytes): "
            f"{total_units(database)} units"
        )
    print("Conclusion: always pass encoding=; open CSV with newline=''; stream big files a line")
    print("at a time; reach for sqlite3 when a file needs queries and transactions.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
