"""The basics, properly: pathlib first, the os/os.path equivalents, scandir, shutil, tempfile.

Running it builds a small project folder in a temporary directory and walks through it:
joining and inspecting paths, globbing, `stat`, listing a large folder with `os.scandir`,
copying with metadata, moving, archiving, measuring free disk space and deleting a tree.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def make_sample_tree(root: Path) -> Path:
    """Create a small project: source files, notes and a nested data folder."""
    for relative, text in {
        "app/main.py": "print('hello')\n",
        "app/util.py": "def add(a, b):\n    return a + b\n",
        "docs/notes.md": "# Notes\n",
        "data/2024/sales.csv": "sku,units\nKB-01,3\n",
    }.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)  # like `mkdir -p`
        path.write_text(text, encoding="utf-8")
    return root


def python_files(root: Path) -> list[str]:
    """Every .py file under root, relative and sorted: `rglob` walks the whole tree."""
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*.py"))


def python_files_os(root: str) -> list[str]:
    """The same with os.walk and os.path, as older code does it."""
    found = []
    for folder, _subfolders, names in os.walk(root):
        for name in names:
            if os.path.splitext(name)[1] == ".py":
                relative = os.path.relpath(os.path.join(folder, name), root)
                found.append(relative.replace(os.sep, "/"))
    return sorted(found)


def largest_entries(folder: Path, count: int) -> list[tuple[str, int]]:
    """The biggest files directly in a folder, listed with one scandir pass (no listdir + stat)."""
    sizes = []
    with os.scandir(folder) as entries:  # an iterator: a folder of a million files is fine
        for entry in entries:
            # the type usually comes with the listing (d_type), no stat needed; the size does
            # not: on Unix entry.stat() makes one system call (then caches it)
            if entry.is_file(follow_symlinks=False):
                sizes.append((entry.name, entry.stat(follow_symlinks=False).st_size))
    return sorted(sizes, key=lambda pair: (-pair[1], pair[0]))[:count]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="files_basics_") as folder:
        root = make_sample_tree(Path(folder) / "project")
        main_py = root / "app" / "main.py"  # `/` joins with the right separator
        print("1. A path's parts, with pathlib (and the os.path spelling)")
        print(f"   name={main_py.name!r} stem={main_py.stem!r} suffix={main_py.suffix!r}")
        print(
            f"   parent={main_py.parent.relative_to(root)!s}   os.path.basename: "
            f"{os.path.basename(main_py)!r}"
        )
        print("2. Finding files: rglob, and os.walk in older code, agree")
        print(f"   {python_files(root)} == {python_files_os(str(root))}")
        print(f"   top level: {sorted(p.name for p in root.iterdir())}")
        info = main_py.stat()
        print(f"3. stat: {info.st_size} bytes, mode {oct(info.st_mode & 0o777)}")
        many = root / "uploads"
        many.mkdir()
        for number in range(1000):
            (many / f"{number:04d}.bin").write_bytes(b"x" * (number % 97))
        print(
            f"4. os.scandir over {len(os.listdir(many)):,} files: largest "
            f"{largest_entries(many, 2)}"
        )
        backup = root / "backup"
        backup.mkdir()
        shutil.copy2(main_py, backup / "main.py")  # copy2 keeps the modification time
        same_mtime = (backup / "main.py").stat().st_mtime == info.st_mtime
        print(f"5. shutil.copy2 keeps the modification time: {same_mtime}")
        shutil.move(root / "docs" / "notes.md", root / "notes.md")
        print(f"   shutil.move: notes.md now at the top: {(root / 'notes.md').exists()}")
        archive = shutil.make_archive(str(Path(folder) / "project"), "zip", root_dir=root)
        print(
            f"6. shutil.make_archive wrote {Path(archive).name}, "
            f"{Path(archive).stat().st_size:,} bytes"
        )
        usage = shutil.disk_usage(folder)
        print(f"7. disk_usage: {usage.free / 2**30:.1f} GiB free of {usage.total / 2**30:.1f} GiB")
        shutil.rmtree(many)
        print(f"8. shutil.rmtree removed uploads/: {not many.exists()}")
    print("Conclusion: pathlib for paths, scandir for big folders, shutil for whole files and")
    print("trees, tempfile for scratch space that cleans itself up (as this demo's folder did).")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
