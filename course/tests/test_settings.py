"""Settings: defaults match docker-compose, and a malformed value names its variable."""

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
        ("DATABASE_URL", "postgres//course@localhost", "scheme must be one of postgresql"),
        ("MONGO_URL", "mongodb://127.0.0.1:notaport/course", "Port could not be cast"),
        ("REDIS_URL", "redis:///0", "names no host"),
        ("S3_ENDPOINT_URL", "ftp://127.0.0.1:9000", "scheme must be one of http, https"),
    ],
)
def test_a_malformed_url_in_env_file_gets_a_message_naming_the_variable(
    tmp_path, monkeypatch, variable, bad_value, expected_words
):
    monkeypatch.delenv(variable, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text(f"{variable}={bad_value}\n")
    with pytest.raises(SettingsError) as raised:
        get_settings(env_file)
    message = str(raised.value)
    assert message.startswith(f"{variable} in {env_file} is not valid")
    assert expected_words in message
    assert "\n" not in message


def test_a_malformed_url_in_the_environment_says_it_came_from_there(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "not a url")
    with pytest.raises(SettingsError, match=r"^DATABASE_URL in the environment is not valid"):
        get_settings(env_file=None)


def test_messages_never_show_a_password(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://course:hunter2@127.0.0.1/course")
    with pytest.raises(SettingsError) as raised:
        get_settings(env_file=None)
    assert "hunter2" not in str(raised.value)
    assert redact_url("redis://user:secret@host:6379/0") == "redis://user:***@host:6379/0"


def test_settings_can_be_overridden_in_code():
    settings = Settings(_env_file=None, redis_url="redis://127.0.0.1:1/0")
    assert settings.redis_url == "redis://127.0.0.1:1/0"
