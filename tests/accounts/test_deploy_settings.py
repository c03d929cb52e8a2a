"""The production settings, checked in a fresh process the way an operator starts the site."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def manage(*args, **env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="meet.example.org",
    )
    environment.update(env)
    environment = {key: value for key, value in environment.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_SECRET_KEY=None)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_wildcard_allowed_host():
    result = manage("check", DJANGO_ALLOWED_HOSTS="meet.example.org,*")

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS may not contain '*'" in result.stderr


def test_debug_mode_runs_without_any_configuration():
    result = manage("check", DJANGO_DEBUG="1", DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS=None)

    assert result.returncode == 0, result.stderr
