"""Tar archives from users: escaping members and links refused, all or nothing.

Running it builds tar archives the way an attacker would (an absolute member, a symlink and
a hard link pointing outside, a symlink that a later member climbs through) and shows the safe
extractor refusing each one with nothing kept: the lesson's own checks refuse absolute
names and (unless asked for) every link; tarfile's `data` filter refuses members and links
that leave the destination, and device files. The filter has had bypasses (CVE-2025-4517 and
others, fixed in 3.9.23, 3.10.18, 3.11.13, 3.12.11, 3.13.4): it warns on older Pythons.
"""

from __future__ import annotations

import io
import logging
import sys
import tarfile
import tempfile
from pathlib import Path

from files_archives import MAX_TOTAL_BYTES, UnsafeArchive, staging_folder

logger = logging.getLogger(__name__)

# the first patch release of each branch with the June 2025 filter fixes (CVE-2025-4517 ...)
TAR_FILTER_FIXES = {(3, 9): 23, (3, 10): 18, (3, 11): 13, (3, 12): 11, (3, 13): 4}


def tar_filters_are_patched(version: tuple[int, ...] = tuple(sys.version_info)) -> bool:
    """Whether this Python's tarfile filters have the 2025 fixes for known bypasses."""
    major_minor, patch = tuple(version[:2]), version[2]
    return patch >= TAR_FILTER_FIXES[major_minor] if major_minor in TAR_FILTER_FIXES else True


def safe_extract_tar(
    archive: Path, destination: Path, max_bytes: int = MAX_TOTAL_BYTES, *, links: bool = False
) -> int:
    """Extract a tar after checking every member, with the `data` filter; return its bytes."""
    if not tar_filters_are_patched():
        logger.warning("this Python's tarfile filters have known bypasses: upgrade it")
    with tarfile.open(archive) as tar:
        for member in tar:
            # the data filter would only strip the leading '/': refuse such an archive outright
            if member.name.startswith("/") or "\\" in member.name:
                raise UnsafeArchive(f"member {member.name!r} has an absolute or Windows path")
            # the filters have had bypasses through links: accept none unless asked to
            if (member.issym() or member.islnk()) and not links:
                raise UnsafeArchive(f"member {member.name!r} is a link; links are refused")
        try:
            # the data filter refuses '..' and links that leave the destination, device files,
            # and strips setuid bits; checking every member first means one refuses them all
            members = [tarfile.data_filter(member, str(destination)) for member in tar]
        except tarfile.FilterError as error:
            raise UnsafeArchive(f"member {error.tarinfo.name!r} refused: {error}") from None
        total = sum(member.size for member in members if member.isfile())
        if total > max_bytes:
            raise UnsafeArchive(f"the archive expands to {total:,} bytes, more than {max_bytes:,}")
        try:
            with staging_folder(destination) as staging:
                # checked again while extracting: an earlier member (a link) can change where a
                # later one lands, which the check above could not see
                tar.extractall(staging, members=members, filter="data")
        except tarfile.FilterError as error:
            raise UnsafeArchive(f"member {error.tarinfo.name!r} refused: {error}") from None
    return total


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


def build_ordered_tar(path: Path, entries: list[tuple[str, bytes, str]]) -> Path:
    """Write a tar of (name, type, link target) entries in this order (empty regular files)."""
    with tarfile.open(path, "w") as tar:
        for name, kind, target in entries:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            tar.addfile(info, io.BytesIO(b""))
    return path


def main() -> None:
    logging.basicConfig(level=logging.CRITICAL)  # step 1 prints the warning itself
    with tempfile.TemporaryDirectory(prefix="files_tar_") as folder:
        base = Path(folder)
        destination = base / "uploads" / "extracted"
        destination.mkdir(parents=True)
        patched = "yes" if tar_filters_are_patched() else "NO: upgrade to the latest patch release"
        print(f"1. This Python ({sys.version.split()[0]}) has the 2025 filter fixes: {patched}")
        print("2. The safe extractor refuses each attack and keeps nothing:")
        outside = str(base / "outside.txt")
        climb = [("a", tarfile.SYMTYPE, "."), ("a/../x", tarfile.REGTYPE, "")]
        attacks = {
            "absolute member": (build_tar(base / "c.tar", {outside: b"x"}, {}), False),
            "symlink out": (
                build_tar(base / "d.tar", {}, {"passwd": (tarfile.SYMTYPE, "/etc/passwd")}),
                True,
            ),
            "hard link out": (
                build_tar(base / "e.tar", {}, {"h": (tarfile.LNKTYPE, "../../x")}),
                True,
            ),
            "a link, not asked for": (
                build_tar(base / "f.tar", {}, {"l": (tarfile.SYMTYPE, "docs")}),
                False,
            ),
            "climbing through a symlink": (build_ordered_tar(base / "g.tar", climb), True),
        }
        for label, (archive, links) in attacks.items():
            try:
                safe_extract_tar(archive, destination, links=links)
                print(f"   {label}: EXTRACTED?!")
            except UnsafeArchive as error:
                print(f"   {label}: {error}")
        print(f"   files in the destination: {sorted(p.name for p in destination.iterdir())}")
        good = build_tar(base / "good.tar", {"docs/readme.txt": b"hello"}, {})
        print(f"3. A clean tar extracts: {safe_extract_tar(good, destination)} bytes")
    print("Conclusion: refuse absolute names and links you do not need, let filter='data' check")
    print("the rest, extract beside the destination, and keep Python on its latest patch release.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
