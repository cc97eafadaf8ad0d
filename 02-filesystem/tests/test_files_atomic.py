"""Atomic writes: a failure or a SIGKILL leaves the old version or the new, never a torn file."""

import os
import stat

import files_atomic
import pytest
from files_atomic import atomic_write_bytes, atomic_write_text, classify, version_content
from files_crash import kill_repeatedly

KILLS = 10


def test_an_atomic_write_replaces_the_content_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text("old")

    atomic_write_text(target, "new")

    assert target.read_text() == "new"
    assert [path.name for path in tmp_path.iterdir()] == ["settings.json"]


def test_a_write_that_fails_half_way_keeps_the_old_content(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text("old")

    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "new \udcff", encoding="utf-8")

    assert target.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["settings.json"]


def test_an_atomic_write_keeps_the_files_permissions(tmp_path):
    target = tmp_path / "script.sh"
    target.write_text("echo old\n")
    target.chmod(0o750)

    atomic_write_bytes(target, b"echo new\n")

    assert stat.S_IMODE(target.stat().st_mode) == 0o750


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_an_atomic_write_keeps_the_files_owner_and_group(tmp_path):
    target = tmp_path / "shared.conf"
    target.write_text("old\n")
    os.chown(target, 65534, 65534)  # nobody:nobody, a file a root service rewrites
    target.chmod(0o640)

    atomic_write_bytes(target, b"new\n")

    info = target.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o640)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_an_atomic_write_keeps_a_setuid_bit_through_the_change_of_owner(tmp_path):
    # chown(2) clears setuid, even for root: the mode must be set after the owner
    target = tmp_path / "tool"
    target.write_text("#!/bin/sh\n")
    os.chown(target, 65534, 65534)
    target.chmod(0o4755)

    atomic_write_bytes(target, b"#!/bin/sh\necho new\n")

    assert stat.S_IMODE(target.stat().st_mode) == 0o4755


def test_an_atomic_write_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.conf"
    real.write_text("old\n")
    link = tmp_path / "current.conf"
    link.symlink_to(real)

    atomic_write_bytes(link, b"new\n")

    assert link.is_symlink()
    assert real.read_bytes() == b"new\n"


def test_an_atomic_write_fsyncs_the_file_before_the_rename_and_the_folder_after(
    tmp_path, monkeypatch
):
    # SIGKILL leaves the page cache intact, so the kill test cannot see a missing fsync;
    # this spy can: it records the order of the calls a power cut depends on
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def spy_fsync(descriptor):
        is_folder = stat.S_ISDIR(os.fstat(descriptor).st_mode)
        calls.append("fsync folder" if is_folder else "fsync file")
        real_fsync(descriptor)

    def spy_replace(source, destination):
        calls.append("replace")
        real_replace(source, destination)

    monkeypatch.setattr(files_atomic.os, "fsync", spy_fsync)
    monkeypatch.setattr(files_atomic.os, "replace", spy_replace)

    atomic_write_bytes(tmp_path / "settings.json", b"{}")

    assert calls == ["fsync file", "replace", "fsync folder"]


def test_a_torn_file_is_told_apart_from_a_whole_version():
    whole = version_content(7)
    assert classify(whole) == "whole"
    assert classify(whole[: len(whole) // 2]).startswith("torn")
    assert classify(whole[:1000] + version_content(8)[1000:]).startswith("torn")
    assert classify(b"").startswith("torn")


@pytest.mark.slow
def test_a_sigkilled_atomic_writer_always_leaves_one_whole_version(tmp_path):
    target = tmp_path / "atomic.txt"
    outcomes = kill_repeatedly(target, "atomic", kills=KILLS, seed=1)

    assert outcomes == ["whole"] * KILLS
    # the writers did write (not all killed before their first rename): the test is not vacuous
    assert target.read_bytes() != version_content(1)


@pytest.mark.slow
def test_a_sigkilled_naive_writer_leaves_a_torn_file(tmp_path):
    # more kills than the atomic test: a kill landing between two rewrites finds a whole file
    outcomes = kill_repeatedly(tmp_path / "naive.txt", "naive", kills=2 * KILLS, seed=1)

    torn = [outcome for outcome in outcomes if outcome != "whole"]
    assert torn, f"expected at least one torn file in {2 * KILLS} kills, got {outcomes}"
