"""Each bad input gets one clear line, and no partial file is left behind."""

import errno
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from files_errors import FileProblem, copy_file, copy_in_child, explain, read_text


def test_a_missing_file_is_named_with_what_to_check(tmp_path):
    with pytest.raises(FileProblem, match=r"missing\.txt does not exist; check the name"):
        read_text(tmp_path / "missing.txt")


def test_a_folder_instead_of_a_file_is_reported(tmp_path):
    with pytest.raises(FileProblem, match="is a folder, not a file"):
        read_text(tmp_path)


def test_an_undecodable_file_names_the_byte_and_the_fix(tmp_path):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("café".encode("cp1252"))

    with pytest.raises(FileProblem, match=r"not valid utf-8 \(byte 0xe9 at position 3\)"):
        read_text(latin1)
    assert read_text(latin1, encoding="cp1252") == "café"


def test_the_message_is_one_line():
    message = explain(OSError(errno.ENOSPC, "No space left on device", "/data/x"), None)
    assert (
        message == "/data/x: no space left (disk full or over a size limit); free space and retry"
    )
    assert "\n" not in message


def files_in(folder):
    return sorted(path.name for path in folder.iterdir())


def test_a_full_disk_gives_one_line_and_leaves_no_partial_copy(tmp_path):
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(1024 * 1024))
    destination = tmp_path / "copy.bin"

    # a child process whose files may not grow past 100 KB: writes fail as on a full disk
    outcome = copy_in_child(source, destination, "100000")

    assert outcome == (
        f"error: {destination}: no space left (disk full or over a size limit); "
        "free space and retry"
    )
    assert files_in(tmp_path) == ["big.bin"]


def test_a_full_disk_keeps_the_old_destination(tmp_path):
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(1024 * 1024))
    destination = tmp_path / "copy.bin"
    destination.write_bytes(b"the previous copy")

    outcome = copy_in_child(source, destination, "100000")

    assert outcome.startswith("error:") and "no space left" in outcome
    assert destination.read_bytes() == b"the previous copy"
    assert files_in(tmp_path) == ["big.bin", "copy.bin"]


@pytest.fixture
def folders_nobody_can_reach(tmp_path):
    """As root: a 0o755 folder (nobody may enter it) and a 0o777 one (nobody may write in it)."""
    # not under tmp_path: pytest's own base folder is 0o700, so nobody would be refused at
    # the folder whatever the file's mode, and the test would pass for the wrong reason
    readable = Path(tempfile.mkdtemp(dir="/tmp", prefix="files_errors_"))
    writable = Path(tempfile.mkdtemp(dir="/tmp", prefix="files_errors_"))
    readable.chmod(0o755)
    writable.chmod(0o777)
    yield readable, writable
    shutil.rmtree(readable)
    shutil.rmtree(writable)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the copy as user nobody")
@pytest.mark.parametrize(("mode", "outcome"), [(0o600, "permission denied"), (0o644, "copied")])
def test_the_files_mode_decides_whether_another_user_may_copy_it(
    folders_nobody_can_reach, mode, outcome
):
    readable, writable = folders_nobody_can_reach
    source = readable / "private.txt"
    source.write_text("secret")
    source.chmod(mode)
    destination = writable / "copy.txt"

    result = copy_in_child(source, destination, "nobody")

    if outcome == "copied":  # the control case: the same file, readable, copies fine
        assert result == "copied"
        assert destination.read_text() == "secret"
    else:
        assert (
            result == f"error: {source}: permission denied; check its owner and mode with `ls -l`"
        )
        assert sorted(p.name for p in writable.iterdir()) == []


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="running as root, which may read any file: the same refusal is tested as root by "
    "copying from a child process that runs as the user nobody",
)
def test_a_permission_error_gives_one_line_and_writes_nothing(tmp_path):
    source = tmp_path / "private.txt"
    source.write_text("secret")
    source.chmod(0o000)
    destination = tmp_path / "copy.txt"

    with pytest.raises(FileProblem, match="permission denied"):
        copy_file(source, destination)
    assert not destination.exists()
