"""Every shell command the course's pages show works as written, in a fresh shell.

Each fenced shell block (bash, sh, shell, console) in the root pages, `docs/` and every
lesson's pages carries a marker on the line before it, which says what this test does with it:

    <!-- commands: run -->                      each command must succeed
    <!-- commands: run, may fail: REASON -->    each must run (exit 0 or 1, no traceback)
    <!-- commands: dry-run: REASON -->          each is checked without its effect: `make -n`,
                                                the `course` subcommand exists, the files exist
    <!-- commands: not run: REASON -->          shown only (Docker, sudo, a blocking server)

A shell block without a marker fails, and so does a command a dry run cannot check. Commands
run from the repository root with `.venv/bin` off the PATH, as in a new terminal, and with
the services the test run started (`course test` starts them).

Work is not done twice in one run: blocks with the same commands share one run of them, and a
block's `.venv/bin/python -m pytest ...` runs as written but only collects, when every test it
collects is one this test run runs itself (so its results are this run's); otherwise, as when
this file runs alone, the whole block runs again with its tests.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer

from course.cli import app
from course.lessons import discover
from course.notebook_runs import shared
from course.paths import ROOT
from course.pytest_suite import COLLECT_ONLY_VARIABLE

SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "zsh"}
MARKER = re.compile(r"^<!-- commands: (run|run, may fail|dry-run|not run)(?:: (.+?))? -->$")
FENCE = re.compile(r"^(```|~~~)\s*([\w-]*)")
LOOKS_LIKE_A_COMMAND = re.compile(r"^(\.venv/bin/|make |python3? |course |docker |pytest )")
TIMEOUT_SECONDS = 600
PYTEST_COMMAND = re.compile(r"^\.venv/bin/python -m pytest [^;&|<>$`]*$")  # one simple command
CHANGES_THE_SHELL = re.compile(r"^(cd|source|\.|export|pushd|popd|set)\s|^\w+=")


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
        end = next(i for i in range(number + 1, len(lines)) if lines[i].startswith(opening[1]))
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
    # a new terminal has no virtualenv, and is not inside the `make test` that runs this test
    inherited = ("VIRTUAL_ENV", "PYTHONHOME", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    environment = {k: v for k, v in os.environ.items() if k not in inherited}
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


def course_command_names(words: list[str]) -> list[str]:
    """The `course` subcommands named by `words`, as deep as they go (`services up`)."""
    command, names = typer.main.get_command(app), []
    for word in words:
        if not hasattr(command, "commands") or word.startswith("-"):  # not a group
            break
        if word not in command.commands:
            raise AssertionError(f"`course {' '.join([*names, word])}` is not a command")
        command = command.commands[word]
        names.append(word)
    return names


def dry_run(command: str, environment: dict[str, str]) -> None:
    """Check that `command` exists and would start, without its effect."""
    words = shlex.split(command)
    program = words[0].removeprefix(".venv/bin/")
    if program == "make":
        result = shell(shlex.join(["make", "-n", *words[1:]]), environment)
        assert result.returncode == 0, f"{command}: {result.stderr[-1000:]}"
    elif program == "course" and len(words) > 1:
        assert course_command_names(words[1:]), command
    elif words[:3] == [".venv/bin/python", "-m", "pytest"]:
        paths = [word for word in words[3:] if not word.startswith("-") and not word.isdigit()]
        assert paths, f"{command}: names no test file"
        for path in paths:  # the shell expands the globs: each must match a file
            assert sorted(ROOT.glob(path.split("::")[0])), f"{command}: nothing matches {path}"
    elif words[0] == ".venv/bin/python" and len(words) > 1 and words[1].endswith(".py"):
        assert (ROOT / words[1]).is_file(), f"{command}: no such script"
    else:
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
    """The shell blocks with one of these markers (an unmarked block fails the test above)."""
    matches = [(block, MARKER.match(block.marker or "")) for block in SHELL_BLOCKS]
    return [block for block, match in matches if match and match[1] in kinds]


def run_block(block: Block, tmp_path: Path) -> dict:
    """Run the block in a fresh shell, its pytest commands collecting only (their ids kept)."""
    lines, collected = [], []
    for command in block.commands():
        if PYTEST_COMMAND.match(command):
            collected.append(tmp_path / f"collected-{len(collected)}.txt")
            # the variable is set for this one command: the rest of the block runs as written
            command = f"{COLLECT_ONLY_VARIABLE}={shlex.quote(str(collected[-1]))} {command}"
        lines.append(command)
    result = shell("set -e\n" + "\n".join(lines), fresh_shell_environment(tmp_path))
    return {
        "returncode": result.returncode,
        "output": result.stdout[-2000:] + result.stderr[-2000:],
        "traceback": "Traceback" in result.stdout + result.stderr,
        "collected": [path.read_text().splitlines() if path.exists() else [] for path in collected],
    }


def skipped_by_fast(item: pytest.Item) -> bool:
    """Whether `--fast` skips this test in this run (then a page's command must run it)."""
    reasons = [str(mark.kwargs.get("reason", "")) for mark in item.iter_markers("skip")]
    return any(reason.startswith("--fast") for reason in reasons)


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT_SECONDS)
@pytest.mark.parametrize("block", blocks_marked("run"), ids=lambda block: block.name)
def test_a_run_block_succeeds_in_a_fresh_shell(block, tmp_path, request):
    commands = "\n".join(block.commands())
    result = shared(f"run block\n{commands}", lambda: run_block(block, tmp_path))
    assert result["returncode"] == 0, f"{block.name}:\n{result['output']}"
    assert not result["traceback"], result["output"]
    this_run = {item.nodeid for item in request.session.items if not skipped_by_fast(item)}
    pytest_commands = [command for command in block.commands() if PYTEST_COMMAND.match(command)]
    outside = [
        command
        for command, ids in zip(pytest_commands, result["collected"], strict=True)
        if not ids or not set(ids) <= this_run
    ]
    if outside and any(CHANGES_THE_SHELL.match(command) for command in block.commands()):
        outside = ["\n".join(block.commands())]  # the commands need the block's shell
    for commands in outside:  # tests this run does not run itself: run them here
        again = shell(f"set -e\n{commands}", fresh_shell_environment(tmp_path))
        output = again.stdout[-2000:] + again.stderr[-2000:]
        assert again.returncode == 0, f"{block.name}:\n{output}"
        assert "Traceback" not in again.stdout + again.stderr, output


@pytest.mark.slow
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
        dry_run(command, fresh_shell_environment(tmp_path))
