"""The terminal output every `course` command shares."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

# outside a terminal (CI logs), Rich would wrap tables at 80 columns
console = Console(width=None if sys.stdout.isatty() else 150, highlight=False)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line and return the exit to raise: `raise fail("...")`."""
    console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)
