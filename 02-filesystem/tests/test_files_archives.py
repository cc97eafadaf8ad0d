"""Every archive attack is refused before anything is written; the naive extractor is wrong."""

import errno
import shutil
import struct
import tarfile
import zipfile
from pathlib import Path

import pytest
from files_archives import UnsafeArchive, build_zip, naive_extract_zip, safe_extract_zip
from files_tar import build_ordered_tar, build_tar, safe_extract_tar, tar_filters_are_patched


@pytest.fixture
def destination(tmp_path):
    folder = tmp_path / "uploads" / "extracted"
    folder.mkdir(parents=True)
    return folder


def everything_under(folder):
    return sorted(folder.rglob("*"))


def test_the_naive_zip_extractor_writes_outside_its_folder(tmp_path, destination):
    archive = build_zip(tmp_path / "slip.zip", {"../../evil.txt": b"pwned"})

    naive_extract_zip(archive, destination)

    assert (tmp_path / "evil.txt").read_bytes() == b"pwned"


def zip_attacks(tmp_path):
    # the attacks aim inside tmp_path, so even a broken defence harms nothing real
    return {
        "zip slip": ({"../evil.txt": b"x"}, "zip slip"),
        "zip slip deep": ({"ok/../../../evil.txt": b"x"}, "zip slip"),
        "absolute member": ({str(tmp_path / "evil.txt"): b"x"}, "absolute"),
        "Windows separators": ({"..\\..\\evil.txt": b"x"}, "Windows"),
        "drive letter": ({"C:/evil.txt": b"x"}, "Windows"),
    }


@pytest.mark.parametrize("attack", list(zip_attacks(Path("/nowhere"))))
def test_each_zip_attack_is_refused_and_nothing_is_written(tmp_path, destination, attack):
    members, reason = zip_attacks(tmp_path)[attack]
    archive = build_zip(tmp_path / "attack.zip", {"first.txt": b"fine", **members})
    before = everything_under(tmp_path)

    with pytest.raises(UnsafeArchive, match=reason):
        safe_extract_zip(archive, destination)

    assert everything_under(tmp_path) == before  # not even the harmless first member


def test_a_zip_symlink_member_is_refused(tmp_path, destination):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zip_file:
        info = zipfile.ZipInfo("passwd")
        info.external_attr = (0o120777) << 16  # a symbolic link, as `zip --symlinks` stores it
        zip_file.writestr(info, "/etc/passwd")

    with pytest.raises(UnsafeArchive, match="symbolic link"):
        safe_extract_zip(archive, destination)
    assert everything_under(destination) == []


def test_a_zip_bomb_is_stopped_at_the_size_limit(tmp_path, destination):
    archive = build_zip(tmp_path / "bomb.zip", {"zeros.bin": bytes(2_000_000)})

    with pytest.raises(UnsafeArchive, match="2,000,000 bytes, more than 1,000,000"):
        safe_extract_zip(archive, destination, max_bytes=1_000_000)
    assert everything_under(destination) == []


def test_a_zip_whose_header_lies_about_its_size_is_refused_and_nothing_kept(tmp_path, destination):
    archive = build_zip(tmp_path / "liar.zip", {"a.txt": b"fine", "zeros.bin": bytes(2_000_000)})
    data = bytearray(archive.read_bytes())
    last_entry = data.rfind(b"PK\x01\x02")  # the central directory entry of zeros.bin
    struct.pack_into("<I", data, last_entry + 24, 10)  # claim 10 bytes uncompressed
    archive.write_bytes(bytes(data))

    with pytest.raises(UnsafeArchive, match="damaged"):
        safe_extract_zip(archive, destination, max_bytes=1_000_000)
    assert [p for p in everything_under(destination) if p.is_file()] == []


def test_a_zip_member_through_a_symlink_in_the_destination_is_refused(tmp_path, destination):
    (tmp_path / "outside").mkdir()
    (destination / "shared").symlink_to(tmp_path / "outside")  # left by an earlier upload
    archive = build_zip(tmp_path / "via-link.zip", {"shared/evil.txt": b"x"})

    with pytest.raises(UnsafeArchive, match="outside the destination"):
        safe_extract_zip(archive, destination)
    assert list((tmp_path / "outside").iterdir()) == []


def test_a_zip_member_that_is_both_a_file_and_a_folder_is_refused_and_nothing_kept(
    tmp_path, destination
):
    archive = build_zip(tmp_path / "clash.zip", {"a.txt": b"fine", "x": b"a file", "x/y": b"in"})

    with pytest.raises(UnsafeArchive, match="both a file and a folder"):
        safe_extract_zip(archive, destination)
    assert everything_under(destination) == []


def test_a_zip_that_fails_while_extracting_keeps_nothing(tmp_path, destination, monkeypatch):
    archive = build_zip(tmp_path / "ok.zip", {"a.txt": b"a", "b.txt": b"b"})
    real_copy = shutil.copyfileobj
    copies = []

    def disk_full_on_the_second_member(source, output):
        copies.append(output.name)
        if len(copies) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_copy(source, output)

    monkeypatch.setattr(shutil, "copyfileobj", disk_full_on_the_second_member)

    with pytest.raises(OSError, match="No space left"):
        safe_extract_zip(archive, destination)
    assert everything_under(destination.parent) == [destination]


def test_a_tar_bomb_is_refused_before_extraction(tmp_path, destination):
    archive = build_tar(tmp_path / "bomb.tar", {"zeros.bin": bytes(2_000_000)}, {})

    with pytest.raises(UnsafeArchive, match="2,000,000 bytes, more than 1,000,000"):
        safe_extract_tar(archive, destination, max_bytes=1_000_000)
    assert everything_under(destination) == []


def test_a_clean_zip_extracts(tmp_path, destination):
    archive = build_zip(tmp_path / "ok.zip", {"docs/readme.txt": b"hello", "a.txt": b"a"})
    assert safe_extract_zip(archive, destination) == 6
    assert (destination / "docs" / "readme.txt").read_bytes() == b"hello"


def tar_attacks(tmp_path):
    return {
        "absolute member": ({str(tmp_path / "evil.txt"): b"x"}, {}, "absolute"),
        "dot-dot member": ({"../evil.txt": b"x"}, {}, "outside the destination"),
        "symlink to an absolute path": ({}, {"p": (tarfile.SYMTYPE, "/etc/passwd")}, "absolute"),
        "symlink out with dot-dot": ({}, {"up": (tarfile.SYMTYPE, "../..")}, "outside"),
        "hard link out": ({}, {"h": (tarfile.LNKTYPE, "../../evil.txt")}, "outside"),
        "hard link to an absolute path": (
            {},
            {"h": (tarfile.LNKTYPE, str(tmp_path / "evil.txt"))},
            "absolute",
        ),
    }


@pytest.mark.parametrize("attack", list(tar_attacks(Path("/nowhere"))))
def test_each_tar_attack_is_refused_and_nothing_is_written(tmp_path, destination, attack):
    files, links, reason = tar_attacks(tmp_path)[attack]
    (tmp_path / "evil.txt").write_bytes(b"a file outside, which links must not reach")
    archive = build_tar(tmp_path / "attack.tar", {"first.txt": b"fine", **files}, links)
    before = everything_under(tmp_path)

    with pytest.raises(UnsafeArchive, match=reason):
        safe_extract_tar(archive, destination, links=True)  # links allowed: the filter decides

    assert everything_under(tmp_path) == before


def test_tar_links_are_refused_unless_asked_for(tmp_path, destination):
    archive = build_tar(tmp_path / "l.tar", {}, {"latest": (tarfile.SYMTYPE, "docs")})

    with pytest.raises(UnsafeArchive, match="is a link; links are refused"):
        safe_extract_tar(archive, destination)
    assert everything_under(destination) == []


def test_a_tar_member_climbing_through_an_earlier_symlink_is_refused_and_nothing_kept(
    tmp_path, destination
):
    # 'a' -> '.' passes every check, and so does 'a/../x' while 'a' does not exist yet: only
    # the filter at extraction time sees the climb, after 'a' was already written
    entries = [("a", tarfile.SYMTYPE, "."), ("a/../x", tarfile.REGTYPE, "")]
    archive = build_ordered_tar(tmp_path / "climb.tar", entries)
    before = everything_under(tmp_path)

    with pytest.raises(UnsafeArchive, match="outside the destination"):
        safe_extract_tar(archive, destination, links=True)
    assert everything_under(tmp_path) == before


@pytest.mark.parametrize(
    ("version", "patched"),
    [((3, 11, 7), False), ((3, 11, 13), True), ((3, 12, 10), False), ((3, 13, 4), True)],
)
def test_pythons_with_known_tar_filter_bypasses_are_recognised(version, patched):
    assert tar_filters_are_patched(version) is patched


def test_a_tar_device_file_is_refused(tmp_path, destination):
    archive = tmp_path / "device.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("disk")
        info.type, info.devmajor, info.devminor = tarfile.BLKTYPE, 8, 0
        tar.addfile(info)

    with pytest.raises(UnsafeArchive, match="special file"):
        safe_extract_tar(archive, destination)
    assert everything_under(destination) == []


def test_a_clean_tar_extracts_with_its_internal_links(tmp_path, destination):
    archive = build_tar(
        tmp_path / "ok.tar",
        {"docs/readme.txt": b"hello"},
        {"latest": (tarfile.SYMTYPE, "docs/readme.txt")},
    )

    assert safe_extract_tar(archive, destination, links=True) == 5
    assert (destination / "latest").read_bytes() == b"hello"
