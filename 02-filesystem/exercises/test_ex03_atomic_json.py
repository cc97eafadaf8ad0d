"""Checks for ex03: `course check 02 ex03` runs them against your task."""

import contextlib
import json
import resource
import signal
import stat

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


def files_in(folder):
    return sorted(path.name for path in folder.iterdir())


@contextlib.contextmanager
def file_size_limit(limit_bytes):
    """Make this process's files unable to grow past limit_bytes, as a full disk would."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    # ignored, a write past the limit fails with OSError instead of killing the process
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_changes_are_applied_and_written(tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text('{"theme": "dark", "port": 8000}')

    updated = task.update_json(settings, {"port": 9000})

    assert updated == {"theme": "dark", "port": 9000}
    assert json.loads(settings.read_text()) == {"theme": "dark", "port": 9000}
    assert files_in(tmp_path) == ["settings.json"], "no temporary file may be left behind"


def test_the_file_keeps_its_permissions(tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text('{"theme": "dark"}')
    settings.chmod(0o644)

    task.update_json(settings, {"theme": "light"})

    assert stat.S_IMODE(settings.stat().st_mode) == 0o644, (
        "mkstemp creates 0o600: give the temporary file the old file's mode before replacing it"
    )


def test_a_missing_file_starts_from_an_empty_object(tmp_path):
    settings = tmp_path / "new.json"
    assert task.update_json(settings, {"debug": True}) == {"debug": True}
    assert json.loads(settings.read_text()) == {"debug": True}


def test_a_value_json_cannot_encode_leaves_the_old_file(tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text('{"theme": "dark"}')

    with pytest.raises(TypeError):
        task.update_json(settings, {"theme": "light", "callback": object()})

    assert settings.read_text() == '{"theme": "dark"}', "the old content must stay"
    assert files_in(tmp_path) == ["settings.json"], "the temporary file must be deleted"


def test_a_full_disk_while_writing_leaves_the_old_file_whole(tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text('{"theme": "dark"}')

    with file_size_limit(50_000), pytest.raises(OSError):
        task.update_json(settings, {"notes": "x" * 200_000})  # about 200 KB of JSON

    assert settings.read_text() == '{"theme": "dark"}', (
        "a failed write truncated the file: write a temporary file and os.replace it"
    )
    assert files_in(tmp_path) == ["settings.json"], "the temporary file must be deleted"
