"""Every shell command the course's pages show works as written, in a fresh shell.

Each fenced shell block (bash, sh, shell, console) in the root pages, `docs/` and every
lesson's pages carries a marker on the line before it, which says what this test does with it:

    <!-- commands: run -->                      each command must succeed
    <!-- commands: run, may fail: REASON -->    each must run (exit 0 or 1, no traceback)
    <!-- commands: dry-run: REASON -->          each is checked without its effect: `make -n`,
                                                `course SUB --help`, `pytest --collect-only`
    <!-- commands: not run: REASON -->          shown only (Docker, sudo, a blocking server)

A shell block without a marker fails, and so does a command a dry run cannot check. Commands
run from the repository root with `.venv/bin` off the PATH, as in a new terminal, and with
the services the test run started (`course test` starts them).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from course.lessons import discover
from course.paths import ROOT

SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "zsh"}
MARKER = re.compile(r"^<!-- commands: (run|run, may fail|dry-run|not run)(?:: (.+?))? -->$")
FENCE = re.compile(r"^(```|~~~)\s*([\w-]*)")
LOOKS_LIKE_A_COMMAND = re.compile(r"^(\.venv/bin/|make |python3? |course |docker |pytest )")
TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Block:
    """One fenced block of a page: where it is, its language, its marker and its lines."""

    page: Path
    line: int
    language: str
    marker: str | None
    lines: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    def commands(self) -> list[str]:
        """The commands, without comments, continuation lines joined."""
        text = "\n".join(self.lines).replace("\\\n", " ")
        commands = []
        for line in text.splitlines():
            line = line.removeprefix("$ ") if self.language == "console" else line
            command = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
            if command and not command.startswith("#"):
                commands.append(command)
        return commands


def pages(root: Path = ROOT) -> list[Path]:
    """The pages a learner reads: the root's, the notes in docs/, every lesson's."""
    found = sorted(root.glob("*.md")) + sorted((root / "docs").glob("*.md"))
    for lesson in discover(root):
        found += sorted(lesson.path.glob("*.md"))
    return found


def fenced_blocks(page: Path) -> list[Block]:
    """Every fenced block of a page, with the marker on the line before it (if any)."""
    blocks, lines = [], page.read_text().splitlines()
    number = 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        if not opening:
            number += 1
            continue
        end = next(
            i for i in range(number + 1, len(lines)) if lines[i].startswith(opening[1])
        )
        previous = next((line for line in reversed(lines[:number]) if line.strip()), "")
        marker = previous.strip() if previous.strip().startswith("<!-- commands:") else None
        language = opening[2].lower()
        blocks.append(Block(page, number + 1, language, marker, tuple(lines[number + 1 : end])))
        number = end + 1
    return blocks


ALL_BLOCKS = [block for page in pages() for block in fenced_blocks(page)]
SHELL_BLOCKS = [block for block in ALL_BLOCKS if block.language in SHELL_LANGUAGES]


def fresh_shell_environment(tmp_path: Path) -> dict[str, str]:
    """The environment of a new terminal: no virtualenv on the PATH, no progress touched."""
    venv_bin = str(ROOT / ".venv" / "bin")
    path = [entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry != venv_bin]
    environment = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    environment["PATH"] = os.pathsep.join(path)
    # `course check` and `course hint` record progress: keep the learner's own file untouched
    environment["COURSE_PROGRESS_FILE"] = str(tmp_path / "progress.json")
    return environment


def shell(script: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )


def dry_run(command: str) -> str:
    """The shell command that checks `command` exists and would start, without its effect."""
    words = shlex.split(command)
    program = words[0].removeprefix(".venv/bin/")
    if program == "make":
        return shlex.join(["make", "-n", *words[1:]])
    if program == "course" and len(words) > 1:
        return shlex.join([".venv/bin/course", words[1], "--help"])
    if words[:3] == [".venv/bin/python", "-m", "pytest"]:
        return shlex.join([*words, "--collect-only", "-q", "-p", "no:randomly"])
    if words[0] == ".venv/bin/python" and len(words) > 1 and words[1].endswith(".py"):
        return shlex.join(["test", "-f", words[1]])
    raise AssertionError(f"cannot dry-run {command!r}: run it, or mark it `not run: REASON`")


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=lambda block: block.name)
def test_every_shell_block_says_whether_it_is_run(block):
    match = MARKER.match(block.marker or "")
    assert match, f"{block.name}: put <!-- commands: run --> (or another marker) before it"
    assert match[1] in ("run",) or match[2], f"{block.name}: say why, after `{match[1]}:`"


@pytest.mark.parametrize(
    "block",
    [block for block in ALL_BLOCKS if block.language not in SHELL_LANGUAGES | {"python"}],
    ids=lambda block: block.name,
)
def test_commands_are_only_in_shell_blocks(block):
    commands = [line for line in block.lines if LOOKS_LIKE_A_COMMAND.match(line)]
    assert not commands, f"{block.name}: mark the block as ```bash, so it is checked: {commands}"


def blocks_marked(*kinds: str) -> list[Block]:
    return [block for block in SHELL_BLOCKS if MARKER.match(block.marker or "")[1] in kinds]


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT_SECONDS)
@pytest.mark.parametrize("block", blocks_marked("run"), ids=lambda block: block.name)
def test_a_run_block_succeeds_in_a_fresh_shell(block, tmp_path):
    script = "set -e\n" + "\n".join(block.commands())
    result = shell(script, fresh_shell_environment(tmp_path))
    assert result.returncode == 0, f"{block.name}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.timeout(TIMEOUT_SECONDS)
@pytest.mark.parametrize("block", blocks_marked("run, may fail"), ids=lambda block: block.name)
def test_a_may_fail_block_runs_and_fails_only_cleanly(block, tmp_path):
    for command in block.commands():
        result = shell(command, fresh_shell_environment(tmp_path))
        output = result.stdout + result.stderr
        assert result.returncode in (0, 1), f"{command}: exit {result.returncode}\n{output[-2000:]}"
        assert "Traceback" not in output and "command not found" not in output, output[-2000:]


@pytest.mark.parametrize("block", blocks_marked("dry-run"), ids=lambda block: block.name)
def test_a_dry_run_block_names_commands_that_exist(block, tmp_path):
    for command in block.commands():
        result = shell(dry_run(command), fresh_shell_environment(tmp_path))
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{block.name}: {command}\n{output[-2000:]}"
