"""Paths that come from users: resolve against a storage root, check containment, limit size.

Running it tries the classic path-traversal attacks (`../../etc/passwd`, an absolute path,
`..` hidden in percent-encoding, a symlink pointing outside, Windows separators) against
`resolve_inside`, and shows each refused with a clear reason; then it sanitises upload names,
stops an oversized upload while streaming it, and creates a secret file `0o600` from the start.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

CHUNK_SIZE = 64 * 1024
SAFE_NAME_CHARACTERS = re.compile(r"[^\w.-]+")  # \w: letters of any script, digits, _
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10))}
WINDOWS_RESERVED |= {f"LPT{n}" for n in range(1, 10)}


class UnsafePath(ValueError):
    """A path from a user that would leave the storage root (or cannot be stored safely)."""


class UploadTooLarge(ValueError):
    """An upload went over its size limit; nothing of it was kept."""


def resolve_inside(root: Path, user_path: str, *, decoded: bool = False) -> Path:
    """Return the real path of `user_path` under `root`; raise UnsafePath if it leaves root.

    `user_path` is the raw, still percent-encoded path from a URL, decoded here exactly once;
    pass `decoded=True` for a path a framework has already decoded (FastAPI's path
    parameters are), or a file named `100%25.txt` becomes unreachable. The answer holds
    when it is given: open the file with `files_beneath.open_beneath` if anyone but this
    service can create symlinks in the storage.
    """
    if decoded:
        decoded_path = user_path
    else:
        try:
            decoded_path = unquote(user_path, errors="strict")
        except UnicodeDecodeError:
            raise UnsafePath(f"{user_path!r} is not valid UTF-8 once decoded") from None
    # fullwidth dots and slashes (U+FF0E, U+FF0F) become '.' and '/' under NFKC, which some
    # later layer may apply: normalise first, so the check sees what that layer will see
    normalised = unicodedata.normalize("NFKC", decoded_path)
    if "\x00" in normalised:
        raise UnsafePath(f"{user_path!r} contains a NUL byte")
    if "\\" in normalised or re.match(r"^[A-Za-z]:", normalised):
        raise UnsafePath(f"{user_path!r} uses Windows separators or a drive letter")
    if normalised.startswith("/"):
        raise UnsafePath(f"{user_path!r} is an absolute path; give a path inside the storage")
    if ".." in PurePosixPath(normalised).parts:
        raise UnsafePath(f"{user_path!r} contains '..', which would climb out of the storage")
    real_root = root.resolve()
    # resolve() follows symlinks: a link inside root that points outside is caught here
    candidate = (real_root / normalised).resolve()
    if not candidate.is_relative_to(real_root):
        raise UnsafePath(f"{user_path!r} leads outside the storage (through a symlink)")
    return candidate


def sanitize_filename(name: str, max_bytes: int = 100) -> str:
    """Turn an uploaded file's name into a safe, portable one (`report 2024.pdf` stays readable)."""
    # a browser may send C:\\Users\\me\\x.pdf: keep only the last component of either separator
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name))[-1]
    stem, dot, suffix = base.rpartition(".") if "." in base.strip(".") else (base, "", "")
    stem = SAFE_NAME_CHARACTERS.sub("_", stem).strip("._") or "file"
    suffix = truncate_utf8(SAFE_NAME_CHARACTERS.sub("", suffix), 10)
    # Windows ignores everything after the first dot here: NUL.tar.gz is the device NUL
    if stem.split(".")[0].upper() in WINDOWS_RESERVED:
        stem = f"_{stem}"
    # file systems limit a name in bytes (Linux's NAME_MAX is 255), not in characters
    stem = truncate_utf8(stem, max_bytes - len(suffix.encode()) - 1)
    return f"{stem}.{suffix}" if dot and suffix else stem


def truncate_utf8(text: str, max_bytes: int) -> str:
    """Cut text to at most `max_bytes` of UTF-8 without splitting a character."""
    return text.encode()[:max_bytes].decode("utf-8", errors="ignore")


def save_upload(chunks: Iterable[bytes], destination: Path, max_bytes: int) -> int:
    """Stream an upload into `destination`, refusing it as soon as it passes `max_bytes`.

    Memory stays bounded only if each chunk is: the web framework must stream the body
    (not read it whole first) and enforce its own maximum request size.
    """
    descriptor, temporary_name = tempfile.mkstemp(dir=destination.parent, prefix=".upload-")
    temporary = Path(temporary_name)
    written = 0
    try:
        with open(descriptor, "wb") as file:
            for chunk in chunks:
                written += len(chunk)
                if written > max_bytes:  # checked per chunk: never read the rest of the stream
                    raise UploadTooLarge(f"the upload is larger than the {max_bytes:,}-byte limit")
                file.write(chunk)
        os.replace(temporary, destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return written


def create_secret_file(path: Path, data: bytes) -> None:
    """Create a new file readable only by its owner (0o600) from the first byte on."""
    # O_EXCL: refuse a file (or a symlink an attacker planted) that already exists;
    # the mode is given to open() itself, so there is no moment when others may read it
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags, 0o600)
    with open(descriptor, "wb") as file:
        file.write(data)


ATTACKS = [
    "../../etc/passwd",
    "/etc/passwd",
    "%2e%2e/%2e%2e/etc/passwd",
    "reports/%2E%2E/%2E%2E/secret",
    "\uff0e\uff0e\uff0fsecret",
    "..\\..\\windows\\win.ini",
    "C:/Windows/win.ini",
    "%c0%ae%c0%ae/etc/passwd",
    "invoice.pdf%00.png",
    "link-out/secret.txt",
]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="files_safe_paths_") as folder:
        root = Path(folder) / "storage"
        (root / "reports").mkdir(parents=True)
        (Path(folder) / "outside").mkdir()
        (root / "link-out").symlink_to(Path(folder) / "outside")
        print(f"1. A path inside the storage is allowed: {resolve_inside(root, 'reports/q1.csv')}")
        print("2. Attacks, each refused with its reason:")
        for attack in ATTACKS:
            try:
                resolve_inside(root, attack)
                print(f"   ALLOWED?! {attack!r}")
            except UnsafePath as error:
                print(f"   refused: {error}")
        print("3. Upload names made safe:")
        for name in ["../../.bashrc", "C:\\Users\\me\\CV 2024.pdf", "CON.txt", "résumé.PDF"]:
            print(f"   {name!r:30} -> {sanitize_filename(name)!r}")
        print("4. An upload over its 1 MiB limit is stopped while streaming:")
        endless = iter(lambda: b"x" * CHUNK_SIZE, None)  # a client that never stops sending
        try:
            save_upload(endless, root / "big.bin", max_bytes=1024 * 1024)
        except UploadTooLarge as error:
            print(f"   refused: {error}; kept: {sorted(p.name for p in root.iterdir())}")
        secret = root / "api-key.txt"
        create_secret_file(secret, b"s3cr3t\n")
        print(f"5. A secret file is created with mode {oct(secret.stat().st_mode & 0o777)}")
    print("Conclusion: decode once, normalise, refuse '..', absolute and Windows paths, then")
    print("resolve symlinks and check the result is still inside the root.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
