"""The site shows a lesson as its pages do: overview, parts in order, notebooks, teaching notes."""

import nbformat

from course.site import assemble, plan_pages


def write_course(root):
    (root / "README.md").write_text("# Course\n")
    (root / "GLOSSARY.md").write_text("# Glossary\n")
    (root / "docs").mkdir()
    (root / "docs" / "primer-python.md").write_text("# Python primer\n")
    lesson = root / "01-sample"
    lesson.mkdir()
    (lesson / "lesson.toml").write_text('title = "Sample"\nsummary = "For the tests."\n')
    (lesson / "README.md").write_text("# 01 · Sample\n")
    (lesson / "TEACHING.md").write_text("# 01 · Sample: teaching this lesson\n")
    for name, title in [
        ("part2-later.md", "part 2: later"),
        ("part1a-more.md", "part 1a: more"),
        ("part1a.md", "part 1a: first"),
    ]:
        (lesson / name).write_text(f"# 01 · Sample, {title}\n")
    (lesson / "diagram.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# Sample notebook\n\n![the schema](diagram.svg)")]
    )
    nbformat.write(notebook, lesson / "01-sample.ipynb")
    return lesson


def test_a_lesson_section_lists_overview_parts_in_order_notebooks_then_teaching(tmp_path):
    write_course(tmp_path)
    sections = dict(plan_pages(tmp_path))
    assert [page.title for page in sections["01 · Sample"]] == [
        "Overview",
        "Part 1a: first",
        "Part 1a: more",
        "Part 2: later",
        "Sample notebook",
        "Teaching this lesson",
    ]
    assert [page.title for page in sections["Notes"]] == ["Glossary", "Python primer"]


def test_a_notebook_image_is_embedded_so_the_site_shows_it(tmp_path):
    write_course(tmp_path)
    assemble(tmp_path, source_dir=tmp_path / "build", site_dir=tmp_path / "site", execute=False)
    built = nbformat.read(tmp_path / "build" / "content" / "01-sample" / "01-sample.ipynb", 4)
    cell = built.cells[0]
    assert "![the schema](attachment:diagram.svg)" in cell.source
    assert set(cell.attachments["diagram.svg"]) == {"image/svg+xml"}
