"""The shop's schema diagram agrees with the models, and its rendered SVG with its source.

The lesson README draws the schema as a Mermaid `erDiagram` (the site renders it), and the
notebook shows `shop-schema.svg`, rendered once from that source. These tests fail when a
column is added to `sql_models.py` but not to the diagram, or when the diagram changes but
the SVG is not rendered again.
"""

import re
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

import nbformat
from sql_models import Base

LESSON = Path(__file__).resolve().parents[1]
SVG = LESSON / "shop-schema.svg"
RELATIONSHIP = re.compile(r"^\s*(\w+)\s+\S+--\S+\s+(\w+)\s*:\s*\"?([^\"]+?)\"?\s*$")
ATTRIBUTE = re.compile(r"^\s*(\w+)\s+(\w+)(?:\s+([A-Z]{2}(?:\s*,\s*[A-Z]{2})*))?\s*$")


def diagram_source() -> str:
    """The README's `erDiagram` block."""
    readme = (LESSON / "README.md").read_text()
    blocks = re.findall(r"^```mermaid\n(erDiagram\n.*?)^```", readme, flags=re.M | re.S)
    assert len(blocks) == 1, "the README should hold exactly one erDiagram"
    return blocks[0]


def parse_diagram(source: str) -> tuple[dict[str, list[tuple[str, str, set[str]]]], list]:
    """Entities with their (type, name, keys) attributes, and (left, right, label) links."""
    entities: dict[str, list[tuple[str, str, set[str]]]] = {}
    relationships, current = [], None
    for line in source.splitlines()[1:]:
        if match := re.match(r"^\s*(\w+)\s*\{\s*$", line):
            current = entities.setdefault(match[1], [])
        elif line.strip() == "}":
            current = None
        elif current is not None and (match := ATTRIBUTE.match(line)):
            keys = {key.strip() for key in (match[3] or "").split(",") if key.strip()}
            current.append((match[1], match[2], keys))
        elif match := RELATIONSHIP.match(line):
            relationships.append((match[1], match[2], match[3]))
        elif line.strip():
            raise AssertionError(f"cannot read this erDiagram line: {line!r}")
    return entities, relationships


def test_the_diagram_shows_every_table_column_and_key_of_the_models():
    entities, relationships = parse_diagram(diagram_source())
    tables = Base.metadata.tables
    assert set(entities) == set(tables)
    for name, table in tables.items():
        drawn = {column: keys for _, column, keys in entities[name]}
        assert list(drawn) == [column.name for column in table.columns], name
        for column in table.columns:
            expected = {"PK"} if column.primary_key else set()
            expected |= {"FK"} if column.foreign_keys else set()
            expected |= {"UK"} if column.unique else set()
            assert drawn[column.name] == expected, f"{name}.{column.name}"
    foreign_keys = {
        (key.column.table.name, table.name)
        for table in tables.values()
        for key in table.foreign_keys
    }
    assert {(left, right) for left, right, _ in relationships} == foreign_keys


def test_the_rendered_svg_shows_exactly_what_the_diagram_source_says():
    entities, relationships = parse_diagram(diagram_source())
    expected = Counter(label for _, _, label in relationships)
    for name, attributes in entities.items():
        expected[name] += 1
        for type_name, column, keys in attributes:
            expected.update([type_name, column, *keys])
    svg_text = Counter(
        text
        for element in ElementTree.parse(SVG).iter("{http://www.w3.org/2000/svg}text")
        if (text := "".join(element.itertext()).strip())
    )
    # if this fails, render the SVG again: see the comment at the top of shop-schema.svg
    assert svg_text == expected


def test_the_notebook_shows_the_rendered_schema():
    notebook = nbformat.read(LESSON / "01-database.ipynb", as_version=4)
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "](shop-schema.svg)" in markdown
