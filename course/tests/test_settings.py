"""Settings: defaults match docker-compose; a malformed URL names its variable and its source."""

import pytest

from course.settings import Settings, SettingsError, get_settings, redact_url


def test_defaults_are_the_docker_compose_addresses(monkeypatch):
    for variable in ("DATABASE_URL", "MONGO_URL", "REDIS_URL", "S3_ENDPOINT_URL"):
        monkeypatch.delenv(variable, raising=False)
    settings = get_settings(env_file=None)
    assert settings.database_url == "postgresql+psycopg://course:course@127.0.0.1:5432/course"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.course_services_mode == "docker"


def test_env_file_values_are_read(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("REDIS_URL=redis://127.0.0.1:16379/0\n")
    assert get_settings(env_file).redis_url == "redis://127.0.0.1:16379/0"


def test_the_environment_wins_over_the_env_file(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("REDIS_URL=redis://127.0.0.1:16379/0\n")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:26379/0")
    assert get_settings(env_file).redis_url == "redis://127.0.0.1:26379/0"


@pytest.mark.parametrize(
    ("variable", "bad_value", "expected_words"),
    [
        (
            "DATABASE_URL",
            "postgres://course@localhost",
            "has scheme 'postgres'; it must start with 'postgresql://' or 'postgresql+psycopg://'",
        ),
        ("DATABASE_URL", "postgres//course@localhost", "not a URL; it must start with"),
        ("MONGO_URL", "mongodb://127.0.0.1:notaport/course", "has port 'notaport', not a number"),
        ("REDIS_URL", "redis:///0", "'redis:///0', which names no host"),
        # redis-py would run on database 0 without a word
        ("REDIS_URL", "redis://127.0.0.1:6379/abc", "has path '/abc'; a Redis URL's path is a"),
        ("S3_ENDPOINT_URL", "ftp://127.0.0.1:9000", "it must start with 'http://' or 'https://'"),
    ],
)
def test_a_malformed_url_in_env_file_gets_a_line_naming_the_variable_and_the_file(
    tmp_path, monkeypatch, variable, bad_value, expected_words
):
    monkeypatch.delenv(variable, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text(f"{variable}={bad_value}\n")
    settings = get_settings(env_file)  # reading never fails: each URL is checked when used
    with pytest.raises(SettingsError) as raised:
        settings.require_valid(variable.lower())
    message = str(raised.value)
    assert message.startswith(f"{variable} (from {env_file}) ")
    assert expected_words in message
    assert message.endswith(
        f"fix the {variable} line in {env_file}, or delete it to use the default"
    )
    assert "\n" not in message


def test_a_malformed_url_does_not_stop_the_other_settings(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://nope")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:16379/0")
    settings = get_settings(env_file=None)
    assert settings.require_valid("redis_url").redis_url == "redis://127.0.0.1:16379/0"
    for good in ("redis://127.0.0.1:16379", "redis://127.0.0.1:16379/", "rediss://h:1/15"):
        assert Settings(_env_file=None, redis_url=good).url_problem("redis_url") is None, good
    assert settings.url_problem("database_url")


def test_a_malformed_url_in_the_environment_says_it_came_from_there(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "not a url")
    problem = get_settings(env_file=None).url_problem("database_url")
    assert problem.startswith("DATABASE_URL (from the environment) is 'not a url', not a URL")
    assert problem.endswith("`unset DATABASE_URL` so that .env and the defaults apply")


def test_a_bad_mode_names_the_variable_and_where_it_came_from(monkeypatch):
    monkeypatch.setenv("COURSE_SERVICES_MODE", "dokcer")
    with pytest.raises(SettingsError, match=r"^COURSE_SERVICES_MODE \(from the environment\)"):
        get_settings(env_file=None)


def test_messages_never_show_a_password(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://course:hunter2@127.0.0.1/course")
    problem = get_settings(env_file=None).url_problem("database_url")
    assert "has scheme 'mysql'" in problem
    assert "hunter2" not in problem
    monkeypatch.setenv("DATABASE_URL", "course:hunter2@127.0.0.1/course")
    assert "hunter2" not in get_settings(env_file=None).url_problem("database_url")
    assert redact_url("redis://user:secret@host:6379/0") == "redis://user:***@host:6379/0"


def test_settings_can_be_overridden_in_code():
    settings = Settings(_env_file=None, redis_url="redis://127.0.0.1:1/0")
    assert settings.redis_url == "redis://127.0.0.1:1/0"
