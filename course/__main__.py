"""Allow `python -m course`."""

from course.cli import app

app(prog_name="course")
