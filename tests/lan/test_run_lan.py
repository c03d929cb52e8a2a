"""`make run-lan`: the site over HTTPS with a certificate from a local CA, pages and websockets."""

import contextlib
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from websockets.sync.client import connect as websocket_connect

from meetings import services
from meetings.models import Participant
from meetings.tickets import ticket_issue
from tests.servers import ROOT, free_port, server_environment, stop_process, wait_for_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def lan_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """`make run-lan` itself (install, migrate, run_lan) on the test database, on loopback."""
    tmp_path = tmp_path_factory.mktemp("run-lan")
    port = free_port()
    ca_dir = tmp_path / "ca"
    log = open(tmp_path / "run-lan.log", "w+b")  # noqa: SIM115
    arguments = f"--address 127.0.0.1 --port {port} --ca-dir {ca_dir}"
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run-lan", f"PY={sys.executable}", f"LAN_ARGS={arguments}"],
        cwd=ROOT,
        env=server_environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: make, and the server it runs
    )
    try:
        wait_for_port(port, process, timeout=60)
        yield f"127.0.0.1:{port}", ca_dir, tmp_path / "run-lan.log"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        stop_process(process)
        log.close()


def trusting(ca_dir):
    return ssl.create_default_context(cafile=str(ca_dir / "huddle-lan-ca.pem"))


def test_the_page_is_served_over_https_trusting_the_local_ca(lan_server, alice):
    address, ca_dir, _ = lan_server
    meeting = services.meeting_create(host=alice, title="Club night", join_before_host=True)

    with urllib.request.urlopen(f"https://{address}/m/{meeting.code}/", context=trusting(ca_dir)) as response:
        page = response.read().decode()
        headers = response.headers

    assert response.status == 200
    assert "Club night" in page or "Your name" in page
    assert "Strict-Transport-Security" not in headers  # a browser would remember it for the address
    cookies = headers.get_all("Set-Cookie") or []
    assert cookies, "the join page sets the CSRF cookie"
    assert all("Secure" in cookie and cookie.startswith("lan_") for cookie in cookies)


def test_a_browser_that_does_not_trust_the_ca_is_refused(lan_server):
    address, _, _ = lan_server

    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(f"https://{address}/", context=ssl.create_default_context())


def test_the_meeting_websocket_works_over_wss(lan_server, alice):
    address, ca_dir, _ = lan_server
    meeting = services.meeting_create(host=alice, title="Club night", join_before_host=True)
    ticket = ticket_issue(meeting_code=meeting.code, display_name="Ana", user_id=None, client_key="lan-ana")

    with websocket_connect(
        f"wss://{address}/ws/meetings/{meeting.code}/?ticket={ticket}",
        ssl=trusting(ca_dir),
        origin=f"https://{address}",
        open_timeout=20,
    ) as socket:
        welcome = json.loads(socket.recv(timeout=20))
        socket.send(json.dumps({"type": "leave"}))
        wait_until_left(meeting, "Ana")

    assert welcome["type"] == "welcome"
    assert welcome["name"] == "Ana"


def wait_until_left(meeting, name, timeout=30):
    """The server writes the leave itself: wait for it, so the test's flush never races the server's write."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if meeting.participants.filter(display_name=name, status=Participant.Status.LEFT).exists():
            return
        time.sleep(0.05)
    raise AssertionError(f"the server did not record that {name} left within {timeout} s")


def test_it_says_where_to_go_and_how_to_trust_the_ca(lan_server):
    address, ca_dir, log = lan_server

    deadline = time.monotonic() + 10
    while "Android" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    output = log.read_text()

    assert f"https://{address}/" in output
    assert str(ca_dir / "huddle-lan-ca.pem") in output
    assert "Android" in output and "Firefox" in output


def test_the_ca_is_kept_so_devices_trust_it_once(tmp_path):
    from config.lan import lan_server_certificate

    _, _, ca, made_first = lan_server_certificate(tmp_path, "192.168.1.23")
    first = ca.read_bytes()
    _, _, ca, made_again = lan_server_certificate(tmp_path, "10.0.0.5")

    assert made_first and not made_again
    assert ca.read_bytes() == first
    assert oct((tmp_path / "huddle-lan-ca-key.pem").stat().st_mode & 0o777) == "0o600"


def test_the_ca_cannot_vouch_for_a_site_on_the_internet(tmp_path):
    from cryptography import x509

    from config.lan import lan_server_certificate

    _, _, ca, _ = lan_server_certificate(tmp_path, "192.168.1.23")
    constraints = x509.load_pem_x509_certificate(ca.read_bytes()).extensions.get_extension_for_class(
        x509.NameConstraints
    )

    assert constraints.critical
    assert x509.DNSName("localhost") in constraints.value.permitted_subtrees
    assert not any(
        isinstance(name, x509.DNSName) and name.value != "localhost"
        for name in constraints.value.permitted_subtrees
    )


@pytest.mark.parametrize("lan", ["", "1"])
def test_plain_make_run_keeps_plain_cookies_and_no_hsts(lan):
    """make run is DJANGO_DEBUG=1 without HUDDLE_SERVE_LAN: nothing of the LAN mode leaks into it."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "HUDDLE_"))
    }
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1", HUDDLE_SERVE_LAN=lan)
    script = (
        "import json; from django.conf import settings as s; import django; django.setup();"
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_NAME, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )

    secure, name, hsts, redirect = json.loads(result.stdout)
    assert hsts == 0 and not redirect
    if lan:
        assert secure and name == "lan_sessionid"
    else:
        assert not secure and name == "sessionid"
