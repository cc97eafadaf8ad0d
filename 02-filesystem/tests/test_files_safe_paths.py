"""Every path-traversal attack is refused with a clear reason; nothing lands outside the root."""

import os
import stat
from pathlib import Path

import pytest
from files_safe_paths import (
    UnsafePath,
    UploadTooLarge,
    create_secret_file,
    resolve_inside,
    sanitize_filename,
    save_upload,
)


@pytest.fixture
def storage(tmp_path):
    """A storage root, a folder outside it, and a symlink inside that points out."""
    root = tmp_path / "storage"
    (root / "reports").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (root / "link-out").symlink_to(tmp_path / "outside")
    return root


def files_outside(tmp_path, root):
    return sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(root))


def store(root, user_path, data=b"attacker's bytes"):
    """What an upload handler does: resolve the user's path, then write there."""
    target = resolve_inside(root, user_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def attacks(tmp_path):
    # every attack aims at tmp_path/outside, so even a broken defence harms nothing real
    return {
        "dot-dot": ("../outside/evil.txt", "contains '..'"),
        "dot-dot deep inside": ("reports/../../outside/evil.txt", "contains '..'"),
        "absolute": (str(tmp_path / "outside" / "evil.txt"), "absolute path"),
        "percent-encoded dots": ("%2e%2e/outside/evil.txt", "contains '..'"),
        "percent-encoded slash": ("..%2Foutside%2Fevil.txt", "contains '..'"),
        "fullwidth dots": ("\uff0e\uff0e\uff0foutside\uff0fevil.txt", "contains '..'"),
        "overlong UTF-8": ("%c0%ae%c0%ae/outside/evil.txt", "not valid UTF-8"),
        "NUL byte": ("evil.txt%00.png", "NUL byte"),
        "Windows separators": ("..\\outside\\evil.txt", "Windows separators"),
        "Windows drive": ("C:/outside/evil.txt", "drive letter"),
        "symlink out": ("link-out/evil.txt", "outside the storage"),
    }


ATTACK_NAMES = list(attacks(Path("/nowhere")))


@pytest.mark.parametrize("attack", ATTACK_NAMES)
def test_each_traversal_attack_is_refused_and_writes_nothing_outside(tmp_path, storage, attack):
    user_path, reason = attacks(tmp_path)[attack]
    before = files_outside(tmp_path, storage)

    with pytest.raises(UnsafePath, match=reason):
        store(storage, user_path)

    assert files_outside(tmp_path, storage) == before
    assert not (tmp_path / "outside" / "evil.txt").exists()


@pytest.mark.parametrize(
    "user_path", ["reports/q1.csv", "reports%2Fq2.csv", "new/deep/file.txt", "%252e%252e/x"]
)
def test_paths_inside_the_root_are_allowed(storage, user_path):
    target = resolve_inside(storage, user_path)
    assert target.is_relative_to(storage.resolve())


def test_a_double_encoded_dot_dot_is_decoded_once_and_stays_a_harmless_name(storage):
    assert resolve_inside(storage, "%252e%252e/x") == storage.resolve() / "%2e%2e" / "x"


@pytest.mark.parametrize(
    ("uploaded", "safe"),
    [
        ("../../.bashrc", "bashrc"),
        ("C:\\Users\\me\\CV 2024.pdf", "CV_2024.pdf"),
        ("CON.txt", "_CON.txt"),
        ("résumé.PDF", "résumé.PDF"),
        ("...", "file"),
        ("a" * 300 + ".txt", "a" * 96 + ".txt"),
        ("CON.tar.gz", "_CON.tar.gz"),
        ("nul.tar.gz", "_nul.tar.gz"),
        ("evil\x00.php.png", "evil_.php.png"),
    ],
)
def test_uploaded_file_names_are_sanitised(uploaded, safe):
    assert sanitize_filename(uploaded) == safe


def test_a_long_name_is_cut_to_its_byte_limit_without_splitting_a_character():
    safe = sanitize_filename("報" * 300 + ".txt")  # 3 bytes a character in UTF-8

    assert len(safe.encode()) <= 100
    assert safe == "報" * 32 + ".txt"


def test_a_path_a_framework_already_decoded_is_not_decoded_again(storage):
    assert resolve_inside(storage, "100%25.txt", decoded=True).name == "100%25.txt"
    assert resolve_inside(storage, "100%25.txt").name == "100%.txt"


def test_an_oversized_upload_is_stopped_while_streaming_and_nothing_is_kept(tmp_path):
    chunks_read = 0

    def endless_client():
        nonlocal chunks_read
        for _ in range(1000):  # a client that would send 1 MiB
            chunks_read += 1
            yield b"x" * 1024

    with pytest.raises(UploadTooLarge, match="larger than the 10,240-byte limit"):
        save_upload(endless_client(), tmp_path / "upload.bin", max_bytes=10 * 1024)

    assert chunks_read == 11, "the limit must be enforced while reading, not after"
    assert list(tmp_path.iterdir()) == []


def test_an_upload_within_its_limit_is_saved_whole(tmp_path):
    written = save_upload([b"a" * 1000, b"b" * 24], tmp_path / "upload.bin", max_bytes=1024)
    assert written == 1024
    assert (tmp_path / "upload.bin").read_bytes() == b"a" * 1000 + b"b" * 24


def test_a_secret_file_is_private_from_its_creation_whatever_the_umask(tmp_path, monkeypatch):
    opened = []
    real_open = os.open

    def spy_open(path, flags, mode=0o777, *args, **kwargs):
        opened.append((flags, mode))
        return real_open(path, flags, mode, *args, **kwargs)

    def no_chmod(*args, **kwargs):
        raise AssertionError("chmod after creation leaves a moment when others may read it")

    monkeypatch.setattr(os, "open", spy_open)
    for name in ("chmod", "fchmod"):
        monkeypatch.setattr(os, name, no_chmod)
    monkeypatch.setattr(Path, "chmod", no_chmod)
    old_umask = os.umask(0)  # the most permissive umask: the mode must still be 0o600
    try:
        create_secret_file(tmp_path / "key", b"secret")
    finally:
        os.umask(old_umask)

    [(flags, mode)] = opened
    assert flags & (os.O_CREAT | os.O_EXCL) == os.O_CREAT | os.O_EXCL
    assert mode == 0o600
    assert stat.S_IMODE((tmp_path / "key").stat().st_mode) == 0o600


def test_a_secret_file_refuses_a_planted_symlink(tmp_path):
    decoy = tmp_path / "attacker-readable.txt"
    decoy.write_text("")
    (tmp_path / "key").symlink_to(decoy)

    with pytest.raises(FileExistsError):
        create_secret_file(tmp_path / "key", b"secret")

    assert decoy.read_text() == ""
