"""Settings: production refuses the development secret; development only warns."""

from __future__ import annotations

import logging

import pytest
from auth_config import DEVELOPMENT_SECRET, InsecureSettings, load_auth_settings, run_main
from auth_sessions import create_session_app


def test_production_refuses_to_start_with_the_development_secret(monkeypatch):
    monkeypatch.setenv("AUTH_ENV", "production")
    monkeypatch.delenv("AUTH_SECRET_KEY", raising=False)
    with pytest.raises(InsecureSettings, match="AUTH_SECRET_KEY"):
        load_auth_settings("postgresql://unused", "redis://unused")


def test_production_refuses_a_short_secret(monkeypatch):
    monkeypatch.setenv("AUTH_ENV", "production")
    monkeypatch.setenv("AUTH_SECRET_KEY", "short")
    with pytest.raises(InsecureSettings, match="shorter than 32 bytes"):
        load_auth_settings("postgresql://unused", "redis://unused")


def test_the_app_factory_checks_too(auth_settings, auth_engine, auth_redis):
    insecure = auth_settings.with_changes(environment="production", secret_key=DEVELOPMENT_SECRET)
    with pytest.raises(InsecureSettings):
        create_session_app(insecure, engine=auth_engine, redis_client=auth_redis)


def test_development_warns_about_the_placeholder(monkeypatch, caplog):
    monkeypatch.delenv("AUTH_ENV", raising=False)
    monkeypatch.delenv("AUTH_SECRET_KEY", raising=False)
    with caplog.at_level(logging.WARNING):
        settings = load_auth_settings("postgresql://unused", "redis://unused")
    assert settings.secret_key == DEVELOPMENT_SECRET
    assert "never do this in production" in caplog.text


def test_an_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("AUTH_ENV", "prod")
    with pytest.raises(InsecureSettings, match="'development' or 'production'"):
        load_auth_settings("postgresql://unused", "redis://unused")


def test_a_refused_setting_is_one_line_and_exit_status_2(monkeypatch, capsys):
    monkeypatch.setenv("AUTH_ENV", "prod")
    with pytest.raises(SystemExit) as exited:
        run_main(lambda: load_auth_settings("postgresql://x/y", "redis://x"))
    assert exited.value.code == 2
    assert capsys.readouterr().err == "error: AUTH_ENV='prod': use 'development' or 'production'\n"
