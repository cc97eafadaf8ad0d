"""The whole course passes ruff's lint and format checks (as `make lint` runs them)."""

import subprocess
import sys

import pytest

from course.paths import ROOT


@pytest.mark.parametrize(
    "ruff_arguments", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"]
)
def test_ruff_passes(ruff_arguments):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *ruff_arguments], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, f"run `make format`:\n{result.stdout}{result.stderr}"
