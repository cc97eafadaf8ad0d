"""The course's processes import nbformat without jsonschema's IRI parser, and lose nothing.

`course/notebook_runs.py` keeps jsonschema from importing `rfc3987_syntax` (1.6 s of CPU per
process, for a string format nbformat never checks). These tests run fresh processes, as the
suite's workers and the site's MkDocs start, so a module imported earlier cannot hide a change.
"""

import subprocess
import sys

PROBE = """
import sys
{first}
import nbformat
notebook = nbformat.v4.new_notebook()
nbformat.validate(notebook)
notebook.cells.append(nbformat.from_dict({{"cell_type": "code", "id": "x", "bogus": 1}}))
try:
    nbformat.validate(notebook)
    print("accepted")
except nbformat.ValidationError as error:
    print("rejected:", str(error).splitlines()[0])
print("parser loaded:", sys.modules.get("rfc3987_syntax") is not None)
"""


def probe(first: str) -> list[str]:
    code = PROBE.format(first=first)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_a_course_process_validates_notebooks_as_before_without_the_iri_parser():
    plain, course = probe(""), probe("import course.notebook_runs")
    assert plain[1:] == ["parser loaded: True"], "the installed jsonschema no longer loads it?"
    assert course[1:] == ["parser loaded: False"]
    assert (
        course[0]
        == plain[0]
        == "rejected: Additional properties are not allowed ('bogus' was unexpected)"
    )


def test_the_site_runs_mkdocs_through_the_entry_point_that_skips_the_parser():
    shown = subprocess.run(
        [sys.executable, "-m", "course.site_mkdocs", "--version"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert shown.stdout.startswith("mkdocs, version ")
