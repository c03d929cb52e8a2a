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
        TURN_URLS="turn:turn.example.org:3478,turns:turn.example.org:5349",
        TURN_SECRET=secrets.token_urlsafe(30),
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


def test_production_without_turn_or_stun_gets_a_warning_that_says_what_to_set():
    result = manage("check", "--deploy", TURN_URLS=None, TURN_SECRET=None, ICE_SERVERS=None)

    assert "meetings.W001" in result.stderr
    assert "people behind a strict NAT" in result.stderr
    assert "set TURN_URLS and TURN_SECRET" in result.stderr


def test_static_ice_servers_are_enough_for_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        TURN_URLS=None,
        TURN_SECRET=None,
        ICE_SERVERS='[{"urls": "turn:turn.example.org", "username": "u", "credential": "p"}]',
    )

    assert result.returncode == 0, result.stderr


def test_a_turn_url_without_its_secret_stops_the_site():
    result = manage("check", TURN_SECRET=None)

    assert result.returncode != 0
    assert "TURN_SECRET is empty" in result.stderr


def test_hiding_addresses_without_a_relay_stops_the_site():
    result = manage("check", TURN_URLS=None, TURN_SECRET=None, HIDE_NETWORK_ADDRESSES="1")

    assert result.returncode != 0
    assert "HIDE_NETWORK_ADDRESSES needs a relay" in result.stderr


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


def test_a_yes_no_setting_that_is_neither_stops_the_site_naming_the_variable():
    result = manage("check", DJANGO_DEBUG="ture")

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false (1/0, yes/no, on/off), not 'ture'." in result.stderr


def test_yes_no_settings_accept_the_usual_spellings():
    result = manage("check", DJANGO_DEBUG="Off", DJANGO_HTTPS="yes", EMAIL_USE_TLS=" TRUE ")

    assert result.returncode == 0, result.stderr


def test_malformed_ice_servers_json_stops_the_site_saying_where():
    result = manage("check", ICE_SERVERS='[{"urls": "stun:stun.example.org:3478"}')

    assert result.returncode != 0
    assert (
        "ICE_SERVERS is not valid JSON: Expecting ',' delimiter: line 1 column 40 (char 39)." in result.stderr
    )


def test_ice_servers_of_the_wrong_shape_stop_the_site_saying_what_is_expected():
    not_a_list = manage("check", ICE_SERVERS='{"urls": "stun:stun.example.org:3478"}')
    misspelled = manage(
        "check", ICE_SERVERS='[{"urls": "stun:a.example.org"}, {"url": "stun:b.example.org"}]'
    )

    assert not_a_list.returncode != 0
    assert 'ICE_SERVERS must be a JSON list of objects like {"urls": "stun:host:3478"}.' in not_a_list.stderr
    assert misspelled.returncode != 0
    assert 'ICE_SERVERS: server 2 needs "urls", a URL or a list of URLs' in misspelled.stderr


def test_well_formed_ice_servers_are_accepted():
    servers = '[{"urls": ["stun:a.example.org:3478"]}, {"urls": "turn:b.example.org", "username": "u", "credential": "p"}]'
    result = manage("check", ICE_SERVERS=servers)

    assert result.returncode == 0, result.stderr


def test_malformed_oidc_providers_json_stops_the_site_saying_where():
    result = manage("check", OIDC_PROVIDERS='[{"id": "school", }]')

    assert result.returncode != 0
    assert (
        "OIDC_PROVIDERS is not valid JSON: Expecting property name enclosed in double quotes" in result.stderr
    )
