"""The code a lesson's pages quote is the lesson's own code, never retyped.

Every ```python block of a lesson's pages must appear, character for character, in one of the
lesson's Python files; a block may join several excerpts, separated by two blank lines, as
top-level definitions are. The Python primer's examples must run.
"""

import re
import subprocess
import sys

import pytest

from course.lessons import discover
from course.paths import ROOT

PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", flags=re.MULTILINE | re.DOTALL)


def quoted_blocks() -> list:
    """The lesson folder and the code of every Python block of every lesson page."""
    found = []
    for lesson in discover():
        for page in sorted(lesson.path.glob("*.md")):
            text = page.read_text()
            for match in PYTHON_BLOCK.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                where = f"{page.relative_to(ROOT)}:{line}"
                found.append(pytest.param(lesson.path, match[1], id=where))
    return found


@pytest.mark.parametrize(("lesson", "code"), quoted_blocks())
def test_a_quoted_block_is_the_lessons_own_code(lesson, code):
    sources = [path.read_text() for path in lesson.rglob("*.py")]
    for excerpt in code.split("\n\n\n"):
        excerpt = excerpt.strip("\n")
        assert any(excerpt in source for source in sources), f"not in the lesson:\n{excerpt}"


PRIMER = ROOT / "docs" / "primer-python.md"


@pytest.mark.parametrize("code", PYTHON_BLOCK.findall(PRIMER.read_text()))
def test_the_primers_examples_run(code, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
