"""`python -m course.site_mkdocs build ...`: MkDocs's own command line, started a little faster.

`course/site.py` runs MkDocs in a process of its own. mkdocs-jupyter imports nbconvert and so
jsonschema, which would build an unused parser at import (see `course/notebook_runs.py`); this
entry point skips it first and then hands its arguments to MkDocs unchanged.
"""

from __future__ import annotations

from course.notebook_runs import skip_the_iri_parser


def main() -> None:
    """Run `mkdocs` with this process's arguments, as `python -m mkdocs` would."""
    skip_the_iri_parser()
    from mkdocs.__main__ import cli

    cli(prog_name="mkdocs")


if __name__ == "__main__":
    main()
