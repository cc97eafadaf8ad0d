"""Writing `.env` keeps the learner's settings: mode, symlink, duplicates, their own values.

Each test writes a real `.env` the way a learner might have left it, updates it, and reads
it back with python-dotenv, the parser the course's settings use.
"""

import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from dotenv import dotenv_values

from course.services.envfile import EnvChange, EnvFileError, update_env_file

OLD_REDIS = "redis://127.0.0.1:6379/0"
NEW_REDIS = "redis://127.0.0.1:40123/0"
DAY = date(2026, 12, 1)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_private_env_file_stays_private(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"AWS_SECRET_ACCESS_KEY=hush\nREDIS_URL={OLD_REDIS}\n")
    env_file.chmod(0o600)

    update_env_file(env_file, {"REDIS_URL": NEW_REDIS}, ours={OLD_REDIS})

    assert mode_of(env_file) == 0o600
    assert dotenv_values(env_file) == {"AWS_SECRET_ACCESS_KEY": "hush", "REDIS_URL": NEW_REDIS}


def test_a_new_env_file_is_readable_only_by_its_owner(tmp_path):
    env_file = tmp_path / ".env"

    changes = update_env_file(env_file, {"REDIS_URL": NEW_REDIS})

    assert mode_of(env_file) == 0o600
    assert changes == [EnvChange("REDIS_URL", None, NEW_REDIS, "set by the course")]


def test_a_symlinked_env_file_is_written_through_to_its_target(tmp_path):
    target = tmp_path / "secrets" / "course.env"
    target.parent.mkdir()
    target.write_text(f"REDIS_URL={OLD_REDIS}\n")
    env_file = tmp_path / ".env"
    env_file.symlink_to(target)

    update_env_file(env_file, {"REDIS_URL": NEW_REDIS}, ours={OLD_REDIS})

    assert env_file.is_symlink() and env_file.resolve() == target
    assert dotenv_values(target)["REDIS_URL"] == NEW_REDIS
    assert sorted(path.name for path in target.parent.iterdir()) == ["course.env"]


def test_every_duplicate_of_a_key_is_rewritten_so_no_stale_line_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"REDIS_URL={OLD_REDIS}\nS3_BUCKET=course\nREDIS_URL={OLD_REDIS}\n")

    changes = update_env_file(env_file, {"REDIS_URL": NEW_REDIS}, ours={OLD_REDIS})

    assert dotenv_values(env_file) == {"REDIS_URL": NEW_REDIS, "S3_BUCKET": "course"}
    assert env_file.read_text().count("REDIS_URL=") == 1
    assert "1 duplicate line(s) removed" in changes[0].why


def test_a_value_the_learner_set_is_kept_as_a_comment_and_reported(tmp_path):
    env_file = tmp_path / ".env"
    mine = "postgresql+psycopg://me:secret@db.example:5432/shop"
    env_file.write_text(f"DATABASE_URL={mine}\n")
    new = "postgresql+psycopg://course:course@127.0.0.1:5432/course"

    changes = update_env_file(
        env_file, {"DATABASE_URL": new}, reasons={"DATABASE_URL": "unreachable"}, today=DAY
    )

    assert env_file.read_text() == (
        f"# DATABASE_URL={mine} (replaced by course services up on 2026-12-01: unreachable)\n"
        f"DATABASE_URL={new}\n"
    )
    assert changes == [EnvChange("DATABASE_URL", mine, new, "unreachable", kept_as_comment=True)]
    assert "kept as a comment" in changes[0].describe()


def test_replacing_the_same_learner_value_twice_keeps_one_comment(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("REDIS_URL=redis://mine:6379/0\n")

    update_env_file(env_file, {"REDIS_URL": NEW_REDIS}, today=DAY)
    env_file.write_text(env_file.read_text() + "REDIS_URL=redis://mine:6379/0\n")
    update_env_file(env_file, {"REDIS_URL": NEW_REDIS}, today=DAY)

    assert env_file.read_text().count("# REDIS_URL=redis://mine:6379/0") == 1
    assert dotenv_values(env_file)["REDIS_URL"] == NEW_REDIS


def test_every_other_line_stays_exactly_as_written(tmp_path):
    env_file = tmp_path / ".env"
    others = "# my notes\n\nexport S3_BUCKET='my bucket'\nAWS_ACCESS_KEY_ID=mine  # from the shop\n"
    env_file.write_text(others + f"\nREDIS_URL={OLD_REDIS}\n")

    update_env_file(env_file, {"REDIS_URL": NEW_REDIS}, ours={OLD_REDIS})

    assert env_file.read_text() == others + f"\nREDIS_URL={NEW_REDIS}\n"


@pytest.mark.parametrize(
    "value", ["has space", "dollar$HOME", 'it\'s "quoted"', "hash # not comment"]
)
def test_values_that_need_quotes_read_back_unchanged(tmp_path, value):
    env_file = tmp_path / ".env"

    update_env_file(env_file, {"SECRET": value})

    assert dotenv_values(env_file)["SECRET"] == value


def test_an_unchanged_value_is_neither_written_nor_reported(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"REDIS_URL={NEW_REDIS}\n")
    before = env_file.stat().st_mtime_ns

    assert update_env_file(env_file, {"REDIS_URL": NEW_REDIS}) == []
    assert env_file.stat().st_mtime_ns == before


def test_a_failed_write_loses_nothing_and_says_so_in_one_line(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"REDIS_URL={OLD_REDIS}\n")
    # a file-size limit makes the real write fail half way, as a full disk would
    script = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "from course.services.envfile import EnvFileError, update_env_file\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        "try:\n"
        "    update_env_file(Path(sys.argv[1]), {'BIG': 'x' * 100_000})\n"
        "except EnvFileError as error:\n"
        "    print(error)\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", script, str(env_file)], capture_output=True, text=True, check=True
    )

    assert result.stdout.startswith(f"cannot write {env_file}: File too large;")
    assert result.stdout.count("\n") == 1
    assert env_file.read_text() == f"REDIS_URL={OLD_REDIS}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [".env"]


def test_an_env_path_that_is_a_folder_is_one_clear_error(tmp_path):
    (tmp_path / ".env").mkdir()

    with pytest.raises(EnvFileError, match=r"cannot read .*: .*; fix or remove it"):
        update_env_file(tmp_path / ".env", {"REDIS_URL": NEW_REDIS})


def test_a_file_with_windows_line_endings_keeps_them(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_bytes(f"# mine\r\nREDIS_URL={OLD_REDIS}\r\nS3_BUCKET=course\r\n".encode())

    update_env_file(
        env_file, {"REDIS_URL": NEW_REDIS, "MONGO_URL": "mongodb://x"}, ours={OLD_REDIS}
    )

    expected = f"# mine\r\nREDIS_URL={NEW_REDIS}\r\nS3_BUCKET=course\r\nMONGO_URL=mongodb://x\r\n"
    assert env_file.read_bytes() == expected.encode()
