"""Create a new lesson folder from the template in `course/templates/lesson/`.

Every template file ends in `.tmpl` (so neither pytest nor ruff mistakes it for course code)
and holds `{{ placeholders }}`; `LESSON` and `TOPIC` in a file's path are replaced too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from course.lessons import LESSON_FOLDER

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "lesson"
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class LessonTemplateError(ValueError):
    """The lesson cannot be created as asked (a bad name, an existing folder)."""


def placeholders_for(lesson_name: str, title: str) -> dict[str, str]:
    """The values a template may use, from `NN-topic` and the lesson's title."""
    if not LESSON_FOLDER.match(lesson_name):
        raise LessonTemplateError(
            f"a lesson folder is named NN-topic in lower case, e.g. 08-queues, not {lesson_name!r}"
        )
    return {
        "lesson": lesson_name,
        "number": lesson_name[:2],
        "topic": lesson_name[3:].replace("-", "_"),
        "title": title,
    }


def render(text: str, values: dict[str, str]) -> str:
    """Fill `{{ name }}` placeholders; an unknown one is an error, never left in the output."""

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise LessonTemplateError(f"the template uses an unknown placeholder {{{{ {name} }}}}")
        return values[name]

    return PLACEHOLDER.sub(value_of, text)


def escaped_for(target: Path, values: dict[str, str]) -> dict[str, str]:
    """Escape the values for a JSON or TOML string (a title may hold quotes)."""
    if target.suffix in (".ipynb", ".toml"):
        return {name: json.dumps(value)[1:-1] for name, value in values.items()}
    return values


def create_lesson(root: Path, lesson_name: str, title: str) -> list[Path]:
    """Write the new lesson folder under `root`; return the files created."""
    values = placeholders_for(lesson_name, title)
    folder = root / lesson_name
    if folder.exists():
        raise LessonTemplateError(f"{folder} already exists: it is left untouched")
    created = []
    for template in sorted(TEMPLATE_DIR.rglob("*.tmpl")):
        relative = template.relative_to(TEMPLATE_DIR).as_posix().removesuffix(".tmpl")
        relative = relative.replace("LESSON", values["lesson"]).replace("TOPIC", values["topic"])
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(template.read_text(), escaped_for(target, values)))
        created.append(target)
    return created
