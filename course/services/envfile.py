"""Update `.env` without losing what the learner wrote there.

Only the given keys change; every duplicate line of a key is rewritten (a stale later line
would otherwise win); a value the learner set is kept as a comment and reported; the file
keeps its mode (secrets stay private) and its symlink; the write is atomic.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dotenv.parser import Binding, parse_stream

NEW_FILE_MODE = 0o600  # `.env` holds passwords and keys
SAFE_VALUE = re.compile(r"[\w@%+=:,./?&~*!-]*")


class EnvFileError(RuntimeError):
    """`.env` could not be read or written; the message says which file and what to do."""


@dataclass(frozen=True)
class EnvChange:
    """One key that `update_env_file` set: its value before and after, and why."""

    key: str
    old: str | None
    new: str
    why: str
    kept_as_comment: bool = False

    def describe(self) -> str:
        """Say in one line what changed, for the command to print."""
        if self.old is None:
            return f"{self.key}={self.new} (added: {self.why})"
        kept = "; the old line is kept as a comment" if self.kept_as_comment else ""
        return f"{self.key}: {self.old} -> {self.new} ({self.why}{kept})"


def format_line(key: str, value: str, replacing: Binding | None = None) -> str:
    """One `KEY=value` line, quoted when needed, keeping the `export ` of the line it replaces."""
    export = (
        "export " if replacing and replacing.original.string.lstrip().startswith("export ") else ""
    )
    if SAFE_VALUE.fullmatch(value):
        return f"{export}{key}={value}\n"
    if "'" not in value:
        return f"{export}{key}='{value}'\n"  # single quotes: python-dotenv expands no ${...}
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{export}{key}="{escaped}"\n'


def blank_lines_before(binding: Binding) -> str:
    """The empty lines the parser counts as part of the binding that follows them."""
    original = binding.original.string
    head = original[: len(original) - len(original.lstrip())]
    return head[: head.rfind("\n") + 1]


def read_bindings(target: Path) -> tuple[list[Binding], os.stat_result | None]:
    try:
        # newline="": keep the file's own line endings (a Windows editor writes CRLF)
        with target.open(newline="") as stream:
            text, status = stream.read(), target.stat()
    except FileNotFoundError:
        return [], None
    except (OSError, UnicodeDecodeError) as error:
        raise EnvFileError(
            f"cannot read {target}: {error}; fix or remove it and run again"
        ) from None
    return list(parse_stream(io.StringIO(text))), status


def update_env_file(
    env_file: Path,
    values: Mapping[str, str],
    *,
    reasons: Mapping[str, str] | None = None,
    ours: Collection[str] = (),
    author: str = "course services up",
    today: date | None = None,
) -> list[EnvChange]:
    """Set `values` in `env_file`, keeping every other line; return what changed.

    A replaced value that is not in `ours` (the values the course itself wrote) is the
    learner's: its line stays, commented out, with the date and the reason.
    """
    rewrite = Rewrite(
        values=dict(values),
        reasons={key: (reasons or {}).get(key, "set by the course") for key in values},
        ours=frozenset(ours),
        stamp=f"replaced by {author} on {(today or date.today()).isoformat()}",
    )
    target = Path(os.path.realpath(env_file))  # write through a symlink to its target
    bindings, status = read_bindings(target)
    text, changes = rewrite.apply(bindings)
    if text != "".join(binding.original.string for binding in bindings) or status is None:
        write_atomically(target, text, status)
    return changes


@dataclass(frozen=True)
class Rewrite:
    """The keys to set in one `.env`, why, and which old values were the course's own."""

    values: dict[str, str]
    reasons: dict[str, str]
    ours: frozenset[str]
    stamp: str

    def apply(self, bindings: list[Binding]) -> tuple[str, list[EnvChange]]:
        """The file's new text and the changes, from its parsed lines."""
        text = "".join(binding.original.string for binding in bindings)
        newline = "\r\n" if "\r\n" in text else "\n"
        chunks, changes = [], []
        for binding in bindings:
            key = binding.key
            if key not in self.values or binding.error:
                chunks.append(binding.original.string)
            elif binding is not first_binding(bindings, key):
                chunks.append(blank_lines_before(binding))  # a duplicate: the first one holds it
            else:
                lines, change = self.replace(key, bindings, text)
                chunks += [
                    blank_lines_before(binding),
                    *(line.replace("\n", newline) for line in lines),
                ]
                changes += [change] if change else []
        if chunks and not chunks[-1].endswith("\n"):
            chunks[-1] += newline
        present = {binding.key for binding in bindings if not binding.error}
        for key in [key for key in self.values if key not in present]:
            chunks.append(format_line(key, self.values[key]).replace("\n", newline))
            changes.append(EnvChange(key, None, self.values[key], self.reasons[key]))
        return "".join(chunks), changes

    def replace(
        self, key: str, bindings: list[Binding], text: str
    ) -> tuple[list[str], EnvChange | None]:
        """The lines that replace every line of `key`: the learner's values as comments first."""
        new = self.values[key]
        olds = [binding.value for binding in bindings if binding.key == key and not binding.error]
        learners = [old for old in dict.fromkeys(olds) if old not in (None, new, *self.ours)]
        lines = [
            f"# {key}={old} ({self.stamp}: {self.reasons[key]})\n"
            for old in learners
            if f"# {key}={old} (replaced by " not in text
        ]
        first = first_binding(bindings, key)
        lines.append(format_line(key, new, first))
        if olds[-1] == new and len(olds) == 1:
            return lines, None
        why = self.reasons[key]
        if len(olds) > 1:
            why += f"; {len(olds) - 1} duplicate line(s) removed"
        return lines, EnvChange(key, olds[-1], new, why, bool(learners))


def first_binding(bindings: list[Binding], key: str) -> Binding:
    return next(binding for binding in bindings if binding.key == key and not binding.error)


def write_atomically(target: Path, text: str, status: os.stat_result | None) -> None:
    """Replace `target` with `text` in one step, keeping its mode and owner."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
        with os.fdopen(descriptor, "w", newline="") as stream:
            os.fchmod(stream.fileno(), status.st_mode & 0o7777 if status else NEW_FILE_MODE)
            if status and os.geteuid() == 0:
                os.fchown(stream.fileno(), status.st_uid, status.st_gid)
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):  # a read-only folder refuses this too
            temporary.unlink()
        raise EnvFileError(
            f"cannot write {target}: {error.strerror or error}; "
            f"make it and its folder writable and run again (the file is unchanged)"
        ) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
