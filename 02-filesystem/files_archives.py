"""Archives from users: extraction safe from "zip slip", escaping tar members and links.

Running it builds archives the way an attacker would (a member named `../evil.txt`, an
absolute member, a tar symlink pointing outside, a hard link to a file outside) and shows
the naive extractor writing outside its folder, then the safe extractors refusing each archive
before writing anything: `zipfile` members checked by hand, `tarfile` with its `data` filter.
"""

from __future__ import annotations

import io
import shutil
import stat
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

MAX_TOTAL_BYTES = 100 * 1024 * 1024  # a "zip bomb" expands a few KiB into gigabytes


class UnsafeArchive(ValueError):
    """An archive that would write outside its destination, or is too large to extract."""


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


def safe_extract_zip(archive: Path, destination: Path, max_bytes: int = MAX_TOTAL_BYTES) -> int:
    """Check every member first, then extract; on damage remove what was written."""
    written: list[Path] = []
    with zipfile.ZipFile(archive) as zip_file:
        members = zip_file.infolist()
        targets = [checked_zip_target(member, destination) for member in members]
        total = sum(member.file_size for member in members)
        if total > max_bytes:
            raise UnsafeArchive(f"the archive expands to {total:,} bytes, more than {max_bytes:,}")
        try:
            for member, target in zip(members, targets, strict=True):
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                written.append(target)
                # zipfile stops at the size the header declares, and a member whose data
                # does not match its CRC raises BadZipFile: a lying header cannot flood the disk
                with zip_file.open(member) as source, open(target, "wb") as output:
                    shutil.copyfileobj(source, output)
        except zipfile.BadZipFile as error:
            for path in written:
                path.unlink(missing_ok=True)
            raise UnsafeArchive(f"{archive.name} is damaged ({error}); nothing was kept") from None
    return total


def safe_extract_tar(archive: Path, destination: Path, max_bytes: int = MAX_TOTAL_BYTES) -> int:
    """Extract a tar with the `data` filter, after checking every member; return its bytes."""
    with tarfile.open(archive) as tar:
        for member in tar:
            # the data filter would only strip the leading '/': refuse such an archive outright
            if member.name.startswith("/") or "\\" in member.name:
                raise UnsafeArchive(f"member {member.name!r} has an absolute or Windows path")
        try:
            # the data filter refuses absolute names, '..', links that leave the destination,
            # device files, and strips setuid bits; checking all first means all-or-nothing
            members = [tarfile.data_filter(member, str(destination)) for member in tar]
        except tarfile.FilterError as error:
            raise UnsafeArchive(f"member {error.tarinfo.name!r} refused: {error}") from None
        total = sum(member.size for member in members if member.isfile())
        if total > max_bytes:
            raise UnsafeArchive(f"the archive expands to {total:,} bytes, more than {max_bytes:,}")
        tar.extractall(destination, members=members, filter="data")
    return total


def build_zip(path: Path, members: dict[str, bytes]) -> Path:
    """Write a zip with exactly these member names (an attacker's tool, for the demo)."""
    with zipfile.ZipFile(path, "w") as zip_file:
        for name, data in members.items():
            zip_file.writestr(name, data)
    return path


def build_tar(path: Path, files: dict[str, bytes], links: dict[str, tuple[bytes, str]]) -> Path:
    """Write a tar with these files and links ({name: (tarfile.SYMTYPE or LNKTYPE, target)})."""
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, (kind, target) in links.items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            tar.addfile(info)
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
        print("2. The safe extractors refuse each attack before writing anything:")
        outside = str(base / "outside.txt")
        attacks = {
            "zip slip": (safe_extract_zip, build_zip(base / "a.zip", {"../evil.txt": b"x"})),
            "absolute zip member": (safe_extract_zip, build_zip(base / "b.zip", {outside: b"x"})),
            "absolute tar member": (
                safe_extract_tar,
                build_tar(base / "c.tar", {outside: b"x"}, {}),
            ),
            "tar symlink out": (
                safe_extract_tar,
                build_tar(base / "d.tar", {}, {"passwd": (tarfile.SYMTYPE, "/etc/passwd")}),
            ),
            "tar hard link out": (
                safe_extract_tar,
                build_tar(base / "e.tar", {}, {"h": (tarfile.LNKTYPE, "../../x")}),
            ),
        }
        for label, (extract, archive) in attacks.items():
            try:
                extract(archive, destination)
                print(f"   {label}: EXTRACTED?!")
            except UnsafeArchive as error:
                print(f"   {label}: {error}")
        print(f"   files in the destination: {sorted(p.name for p in destination.iterdir())}")
        good = build_tar(base / "good.tar", {"docs/readme.txt": b"hello"}, {})
        print(f"3. A clean tar extracts: {safe_extract_tar(good, destination)} bytes")
    print("Conclusion: never join an archive member's name to a folder unchecked; check every")
    print("member first; use tarfile's filter='data' (3.11.4+, 3.12+; the default from 3.14).")


if __name__ == "__main__":
    main()
