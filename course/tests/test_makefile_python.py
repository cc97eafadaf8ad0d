"""The Makefile's probe refuses a Python the course cannot run, and says why in one line."""

import contextlib
import io
import re
import types

import pytest

from course.paths import ROOT


def probe_source() -> str:
    makefile = (ROOT / "Makefile").read_text()
    found = re.search(r"^define PYTHON_PROBE_SOURCE\n(.*?)^endef$", makefile, re.M | re.S)
    assert found, "the Makefile defines PYTHON_PROBE_SOURCE"
    return found.group(1)


def probe(version: tuple[int, int, int], has_ensurepip: bool = True) -> str:
    """What the probe prints when run by a Python of this version."""
    fake_sys = types.SimpleNamespace(version_info=version)
    fake_util = types.SimpleNamespace(find_spec=lambda name: object() if has_ensurepip else None)
    fake_importlib = types.SimpleNamespace(util=fake_util)
    modules = {"importlib": fake_importlib, "importlib.util": fake_util, "sys": fake_sys}

    def fake_import(name, globals=None, locals=None, fromlist=(), level=0):
        return modules[name.partition(".")[0] if not fromlist else name]

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(probe_source(), {"__builtins__": {"__import__": fake_import, "print": print}})
    return out.getvalue().strip()


@pytest.mark.parametrize("version", [(3, 10, 14), (3, 11, 0), (3, 11, 2), (3, 11, 3)])
def test_a_python_without_tarfile_filters_is_refused_with_the_reason(version) -> None:
    said = probe(version)
    assert said.startswith("no ")
    assert ".".join(map(str, version)) in said and "3.11.4 or newer" in said
    assert "tarfile extraction filters" in said


@pytest.mark.parametrize("version", [(3, 11, 4), (3, 11, 14), (3, 12, 0), (3, 13, 9), (3, 14, 1)])
def test_a_python_from_3_11_4_on_is_accepted(version) -> None:
    assert probe(version) == "ok " + ".".join(map(str, version))


def test_a_python_that_cannot_make_a_venv_is_refused_with_the_package_to_install() -> None:
    assert "apt install python3.12-venv" in probe((3, 12, 3), has_ensurepip=False)


def test_pyproject_asks_for_the_same_python_as_the_probe() -> None:
    assert 'requires-python = ">=3.11.4"' in (ROOT / "pyproject.toml").read_text()
