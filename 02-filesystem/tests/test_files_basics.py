"""pathlib and its os equivalents agree; scandir, shutil and the formats do what the text says."""

import sqlite3
import tracemalloc
from contextlib import closing

import pytest
from files_basics import largest_entries, make_sample_tree, python_files, python_files_os
from files_formats import read_csv, read_jsonl, total_units, write_csv, write_jsonl


def test_rglob_and_os_walk_find_the_same_files(tmp_path):
    root = make_sample_tree(tmp_path)
    assert python_files(root) == python_files_os(str(root)) == ["app/main.py", "app/util.py"]


def test_largest_entries_skips_folders_and_symlinks(tmp_path):
    (tmp_path / "big.bin").write_bytes(b"x" * 100)
    (tmp_path / "small.bin").write_bytes(b"x")
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "big.bin")

    assert largest_entries(tmp_path, 5) == [("big.bin", 100), ("small.bin", 1)]


def test_csv_round_trips_quotes_commas_and_newlines(tmp_path):
    rows = [{"sku": "KB-01", "note": 'says "hi", twice\nand again'}]
    write_csv(tmp_path / "rows.csv", rows, ["sku", "note"])
    assert read_csv(tmp_path / "rows.csv") == rows


def test_json_lines_are_streamed_one_record_at_a_time(tmp_path):
    path = tmp_path / "events.jsonl"
    write_jsonl(path, ({"n": n, "padding": "x" * 100} for n in range(20_000)))  # about 2.5 MB

    tracemalloc.start()
    try:
        count = sum(1 for _ in read_jsonl(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert count == 20_000
    assert peak < 200_000, f"peak {peak:,} bytes: read_jsonl must not load the whole file"


def test_a_broken_json_line_is_reported_with_its_line_number(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text('{"n": 1}\n{"n": \n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2: not JSON"):
        list(read_jsonl(path))


def test_sqlite_is_a_whole_database_in_one_file(tmp_path):
    database = tmp_path / "shop.sqlite3"
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("CREATE TABLE sales (sku TEXT, units INTEGER)")
        connection.executemany("INSERT INTO sales VALUES (?, ?)", [("a", 2), ("b", 5)])

    assert total_units(database) == 7
    assert [path.name for path in tmp_path.iterdir()] == ["shop.sqlite3"]


def test_utf8_is_not_the_only_encoding(tmp_path):
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Crème".encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        legacy.read_text(encoding="utf-8")
    assert legacy.read_text(encoding="cp1252") == "Crème"
