"""Archives from users: extraction safe from "zip slip", escaping tar members and links.

Running it builds zip archives the way an attacker would (a member named `../evil.txt`, an
absolute member, a member that is both a file and a folder) and shows the naive extractor
writing outside its folder, then the safe extractor refusing each archive: every member is
checked by hand first, and the archive is extracted into a fresh folder beside the
destination that moves in only when everything succeeded, so a failure keeps nothing.
`files_tar.py` does the same for tar archives.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

MAX_TOTAL_BYTES = 100 * 1024 * 1024  # a "zip bomb" expands a few KiB into gigabytes


class UnsafeArchive(ValueError):
    """An archive that would write outside its destination, or is too large to extract."""


@contextlib.contextmanager
def staging_folder(destination: Path) -> Iterator[Path]:
    """A fresh folder beside `destination`; its entries move in only if the block succeeds."""
    staging = Path(tempfile.mkdtemp(dir=destination.parent, prefix=f".{destination.name}."))
    try:
        yield staging
        entries = sorted(staging.iterdir())
        for entry in entries:  # all checked before the first move: refuse, never overwrite
            if os.path.lexists(destination / entry.name):
                raise UnsafeArchive(f"{entry.name!r} already exists in the destination")
        for entry in entries:
            os.rename(entry, destination / entry.name)  # the same filesystem: a rename each
    finally:
        shutil.rmtree(staging)  # on any failure, everything extracted so far goes with it


def naive_extract_zip(archive: Path, destination: Path) -> None:
    """THE WRONG WAY: trust each member's name; `../x` writes outside `destination`."""
    with zipfile.ZipFile(archive) as zip_file:
        for member in zip_file.infolist():
            target = destination / member.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zip_file.read(member))


def checked_zip_target(member: zipfile.ZipInfo, destination: Path) -> Path:
    """Where a zip member may be written inside `destination`; UnsafeArchive if nowhere."""
    name = member.filename
    if (member.external_attr >> 16) & 0o170000 == stat.S_IFLNK:
        raise UnsafeArchive(f"member {name!r} is a symbolic link; links are not extracted")
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchive(f"member {name!r} has an absolute or Windows path")
    if ".." in PurePosixPath(name).parts:
        raise UnsafeArchive(f"member {name!r} climbs out with '..' (zip slip)")
    target = (destination / name).resolve()
    if not target.is_relative_to(destination.resolve()):
        raise UnsafeArchive(f"member {name!r} would be written outside the destination")
    return target


def check_zip_names(members: list[zipfile.ZipInfo]) -> None:
    """Refuse a member named twice, or a name that is both a file and a folder (`x`, `x/y`)."""
    files: set[str] = set()
    folders: set[str] = set()
    for member in members:
        path = PurePosixPath(member.filename)
        folders.update(parent.as_posix() for parent in path.parents if parent.name)
        if member.is_dir():
            folders.add(path.as_posix())
        elif path.as_posix() in files:
            raise UnsafeArchive(f"member {member.filename!r} appears twice")
        else:
            files.add(path.as_posix())
    if clash := sorted(files & folders):
        raise UnsafeArchive(f"member {clash[0]!r} is both a file and a folder")


def safe_extract_zip(archive: Path, destination: Path, max_bytes: int = MAX_TOTAL_BYTES) -> int:
    """Check every member first, then extract; on any failure nothing is kept."""
    with zipfile.ZipFile(archive) as zip_file:
        members = zip_file.infolist()
        for member in members:
            checked_zip_target(member, destination)
        check_zip_names(members)
        total = sum(member.file_size for member in members)
        if total > max_bytes:
            raise UnsafeArchive(f"the archive expands to {total:,} bytes, more than {max_bytes:,}")
        try:
            with staging_folder(destination) as staging:
                for member in members:
                    target = staging / member.filename
                    if member.is_dir():
                        target.mkdir(parents=True, exist_ok=True)
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    # zipfile stops at the size the header declares, and a member whose data
                    # does not match its CRC raises BadZipFile: a lying header cannot flood
                    with zip_file.open(member) as source, open(target, "wb") as output:
                        shutil.copyfileobj(source, output)
        except zipfile.BadZipFile as error:
            raise UnsafeArchive(f"{archive.name} is damaged ({error}); nothing was kept") from None
    return total


def build_zip(path: Path, members: dict[str, bytes]) -> Path:
    """Write a zip with exactly these member names (an attacker's tool, for the demo)."""
    with zipfile.ZipFile(path, "w") as zip_file:
        for name, data in members.items():
            zip_file.writestr(name, data)
    return path


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="files_archives_") as folder:
        base = Path(folder)
        destination = base / "uploads" / "extracted"
        destination.mkdir(parents=True)
        slip = build_zip(base / "slip.zip", {"ok.txt": b"fine", "../../evil.txt": b"pwned"})
        print("1. THE WRONG WAY: a naive zip extractor and a member named ../../evil.txt")
        naive_extract_zip(slip, destination)
        print(f"   written outside the destination: {(base / 'evil.txt').exists()}")
        (base / "evil.txt").unlink()
        shutil.rmtree(destination)
        destination.mkdir()
        print("2. The safe extractor refuses each attack and keeps nothing:")
        attacks = {
            "zip slip": {"../evil.txt": b"x"},
            "absolute member": {str(base / "outside.txt"): b"x"},
            "a file and a folder": {"a.txt": b"fine", "x": b"file", "x/y": b"inside it"},
        }
        for label, members in attacks.items():
            try:
                safe_extract_zip(build_zip(base / "attack.zip", members), destination)
                print(f"   {label}: EXTRACTED?!")
            except UnsafeArchive as error:
                print(f"   {label}: {error}")
        print(f"   files in the destination: {sorted(p.name for p in destination.iterdir())}")
        good = build_zip(base / "good.zip", {"docs/readme.txt": b"hello"})
        print(f"3. A clean zip extracts: {safe_extract_zip(good, destination)} bytes")
    print("Conclusion: never join an archive member's name to a folder unchecked; check every")
    print("member first, extract beside the destination, and move it in only on success.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
