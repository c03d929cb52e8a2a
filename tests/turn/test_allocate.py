"""Credentials the site mints, checked by a real coturn: allocate, relay, and refusals."""

import time

import pytest
from django.core.management import CommandError, call_command

from meetings.stun import turn_check
from meetings.turn import turn_credentials_mint, turn_password


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_a_minted_credential_allocates_and_relays_on_coturn(turn_settings, coturn, transport):
    username, password = turn_credentials_mint()

    result = turn_check(coturn.url if transport == "udp" else coturn.tcp_url, username, password)

    assert result.ok, result.message
    assert result.relayed[0] == "127.0.0.1"
    assert result.lifetime > 0
    assert "relayed data" in result.message


def test_a_forged_credential_is_refused_with_401(turn_settings, coturn):
    username, _ = turn_credentials_mint()

    result = turn_check(coturn.url, username, turn_password(username, "not-the-secret"), relay=False)

    assert not result.ok
    assert result.error_code == 401


def test_an_expired_credential_is_refused_with_401(turn_settings, coturn):
    username, password = turn_credentials_mint(now=time.time() - 3600, ttl=600)

    result = turn_check(coturn.url, username, password, relay=False)

    assert not result.ok
    assert result.error_code == 401


def test_nothing_listening_is_reported_not_hung_on(turn_settings):
    from tests.processes import free_port

    result = turn_check(f"turn:127.0.0.1:{free_port()}", "1:a", "b", relay=False, timeout=1)

    assert not result.ok
    assert "no answer" in result.message or "refused" in result.message.lower()


def test_check_turn_reports_each_server_that_works(turn_settings, coturn, capsys):
    call_command("check_turn")

    out = capsys.readouterr().out
    assert out.count("OK ") == 2
    assert "relayed address 127.0.0.1:" in out
    assert "FAIL" not in out


def test_check_turn_says_what_is_wrong_with_a_secret_that_differs(turn_settings, coturn, capsys):
    turn_settings.TURN_SECRET = "another-secret"

    with pytest.raises(CommandError, match="2 of 2 TURN checks failed"):
        call_command("check_turn")

    out = capsys.readouterr().out
    assert "401" in out
    assert "static-auth-secret" in out


def test_check_turn_also_checks_static_ice_servers(settings, coturn, capsys):
    settings.TURN_URLS = []
    settings.TURN_SECRET = ""
    username = f"{int(time.time()) + 600}:static"
    settings.ICE_SERVERS = [
        {"urls": [coturn.url], "username": username, "credential": turn_password(username, coturn.secret)}
    ]

    call_command("check_turn", "--allocate-only")

    assert "OK " in capsys.readouterr().out


def test_check_turn_without_a_turn_server_says_what_to_set(settings):
    settings.TURN_URLS = []
    settings.TURN_SECRET = ""
    settings.ICE_SERVERS = [{"urls": "stun:stun.example.org"}]

    with pytest.raises(CommandError, match="set TURN_URLS and TURN_SECRET"):
        call_command("check_turn")


@pytest.fixture(scope="module")
def coturn_with_tls(tmp_path_factory):
    """A coturn that also speaks TURN over TLS, with a certificate for 127.0.0.1 from a CA of the test's."""
    from config.lan import lan_server_certificate
    from tests.servers import TurnServer

    folder = tmp_path_factory.mktemp("coturn-tls")
    certificate, key, ca, _ = lan_server_certificate(folder / "ca", "127.0.0.1")
    server = TurnServer(folder, tls=(certificate, key))
    server.start()
    yield server, ca
    server.stop()


def test_a_minted_credential_allocates_over_tls(settings, coturn_with_tls):
    import ssl

    server, ca = coturn_with_tls
    settings.TURN_SECRET = server.secret
    username, password = turn_credentials_mint()

    result = turn_check(
        server.tls_url, username, password, tls_context=ssl.create_default_context(cafile=str(ca))
    )

    assert result.ok, result.message
    assert result.relayed[0] == "127.0.0.1"


def test_a_tls_server_whose_certificate_is_not_trusted_is_reported(settings, coturn_with_tls):
    server, _ = coturn_with_tls
    settings.TURN_SECRET = server.secret
    username, password = turn_credentials_mint()

    result = turn_check(server.tls_url, username, password, relay=False)

    assert not result.ok
    assert "CERTIFICATE_VERIFY_FAILED" in result.message
