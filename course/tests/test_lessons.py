"""Lessons are found in course order, and no lesson imports another."""

import ast
import subprocess
import sys
import tomllib

import pytest

from course.lessons import LessonNotFound, discover, find, is_runnable_script, load_lesson
from course.paths import ROOT


def write_lesson(root, name, manifest="", scripts=()):
    folder = root / name
    folder.mkdir()
    (folder / "lesson.toml").write_text(manifest)
    for script in scripts:
        (folder / script).write_text(
            'def main():\n    pass\n\n\nif __name__ == "__main__":\n    main()\n'
        )
    return folder


def test_lessons_are_found_in_course_order_and_other_folders_ignored(tmp_path):
    write_lesson(tmp_path, "02-filesystem")
    write_lesson(tmp_path, "01-database")
    (tmp_path / "notebooks").mkdir()
    assert [lesson.name for lesson in discover(tmp_path)] == ["01-database", "02-filesystem"]


def test_scripts_run_in_the_manifest_order_then_unlisted_ones(tmp_path):
    folder = write_lesson(
        tmp_path,
        "01-database",
        manifest='scripts = ["sql_orm.py", "sql_injection.py"]\n',
        scripts=["sql_injection.py", "sql_orm.py", "sql_extra.py"],
    )
    (folder / "sql_helpers.py").write_text("VALUE = 1\n")  # not runnable: no main guard
    lesson = load_lesson(folder)
    assert [script.name for script in lesson.scripts] == [
        "sql_orm.py",
        "sql_injection.py",
        "sql_extra.py",
    ]


def test_scripts_under_not_run_are_left_out_with_their_reason(tmp_path):
    folder = write_lesson(
        tmp_path,
        "04-api",
        manifest='scripts = ["api_demo.py"]\n[not_run]\n"api_flask.py" = "a server"\n',
        scripts=["api_demo.py", "api_flask.py", "api_extra.py"],
    )
    lesson = load_lesson(folder)
    assert [script.name for script in lesson.scripts] == ["api_demo.py", "api_extra.py"]
    assert lesson.not_run == (("api_flask.py", "a server"),)


def test_a_script_both_run_and_not_run_is_an_error(tmp_path):
    manifest = 'scripts = ["api_flask.py"]\n[not_run]\n"api_flask.py" = "a server"\n'
    folder = write_lesson(tmp_path, "04-api", manifest=manifest, scripts=["api_flask.py"])
    with pytest.raises(ValueError, match="both in scripts and in not_run"):
        load_lesson(folder)


@pytest.mark.parametrize("lesson", discover(), ids=lambda lesson: lesson.name)
def test_every_runnable_script_is_run_or_left_out_by_name(lesson):
    # a script `make run` reaches only by falling through (a server: it never exits) would hold
    # `make run` for the runner's whole timeout; each must be listed in one of the two places
    named = {*lesson_manifest(lesson).get("scripts", []), *dict(lesson.not_run)}
    runnable = {path.name for path in lesson.path.glob("*.py") if is_runnable_script(path)}
    assert runnable <= named, f"list in scripts or [not_run]: {sorted(runnable - named)}"


def lesson_manifest(lesson):
    return tomllib.loads((lesson.path / "lesson.toml").read_text())


@pytest.mark.parametrize(
    ("manifest", "missing"),
    [
        ('scripts = ["gone.py"]\n', r"gone\.py"),
        ('notebooks = ["gone.ipynb"]\n', r"gone\.ipynb"),
        ('[not_run]\n"gone.py" = "a server"\n', r"gone\.py"),
    ],
)
def test_a_manifest_naming_a_missing_file_is_an_error(tmp_path, manifest, missing):
    folder = write_lesson(tmp_path, "01-database", manifest=manifest)
    with pytest.raises(FileNotFoundError, match=missing):
        load_lesson(folder)


@pytest.mark.parametrize("name", ["01-database", "01", "1"])
def test_a_lesson_can_be_named_by_folder_or_number(tmp_path, name):
    write_lesson(tmp_path, "01-database")
    assert find(name, tmp_path).name == "01-database"


def test_an_unknown_lesson_lists_the_known_ones(tmp_path):
    write_lesson(tmp_path, "01-database")
    with pytest.raises(LessonNotFound, match="the lessons are: 01-database"):
        find("07", tmp_path)


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def lesson_modules(lesson):
    return {path.stem for path in lesson.path.glob("*.py")}


@pytest.mark.parametrize("lesson", discover(), ids=lambda lesson: lesson.name)
def test_a_lesson_never_imports_another_lesson(lesson):
    others = {
        module: other.name
        for other in discover()
        if other.name != lesson.name
        for module in lesson_modules(other)
    }
    offending = {
        f"{path.relative_to(lesson.path)} imports {module} from {others[module]}"
        for path in lesson.path.rglob("*.py")
        for module in imported_modules(path)
        if module in others
    }
    assert not offending


def test_module_names_are_unique_across_the_course():
    seen = {}
    for lesson in discover():
        for module in lesson_modules(lesson):
            assert module not in seen, f"{module}.py is in {seen.get(module)} and {lesson.name}"
            seen[module] = lesson.name


def main_guard(path) -> list[str]:
    """The statements under `if __name__ == "__main__":`, as source."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            return [ast.unparse(statement) for statement in node.body]
    return []


@pytest.mark.parametrize("lesson", discover(), ids=lambda lesson: lesson.name)
def test_every_script_refuses_arguments_it_does_not_take(lesson):
    # a script that reads none must not run its whole demo for `--help` or a typo
    silent = [
        path.name
        for path in sorted(lesson.path.glob("*.py"))
        if is_runnable_script(path)
        and "argparse" not in path.read_text()
        and "course.script_arguments()" not in main_guard(path)[:2]  # after `import course`
    ]
    assert not silent, f"call course.script_arguments() first under __main__ in {silent}"


def test_a_script_given_an_argument_says_so_in_one_line_and_help_shows_its_docstring():
    script = ROOT / "01-database" / "sql_pitr_demo.py"  # would start three servers if it ran

    def run(*arguments):
        return subprocess.run(
            [sys.executable, str(script), *arguments], capture_output=True, text=True, timeout=60
        )

    typo, help_ = run("--bogus"), run("--help")

    assert typo.returncode == 2 and typo.stdout == ""
    assert "sql_pitr_demo.py: error: unrecognized arguments: --bogus" in typo.stderr
    assert help_.returncode == 0
    assert "point-in-time recovery drill" in help_.stdout
    assert "takes no arguments" in help_.stdout
