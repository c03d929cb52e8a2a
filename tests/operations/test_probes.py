"""/healthz and /readyz, as a load balancer or systemd asks them."""

import shutil
import subprocess
import time

import pytest
from django.test import Client, override_settings

from operations.health import stun_binding
from tests.processes import free_port, stop_process
from tests.servers import RedisServer

pytestmark = pytest.mark.django_db


def test_healthz_answers_while_the_process_runs(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_database_and_the_channel_layer(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["channel_layer"] == {
        "ok": True,
        "detail": "InMemoryChannelLayer",
        "ms": body["checks"]["channel_layer"]["ms"],
    }
    assert "turn" not in body["checks"]  # not configured: not reported


@override_settings(ALLOWED_HOSTS=["meet.example.org"], SECURE_SSL_REDIRECT=True)
def test_probes_answer_over_plain_http_to_an_address_not_in_allowed_hosts():
    probe = Client(HTTP_HOST="10.0.0.7:8000")

    assert probe.get("/healthz").status_code == 200
    assert probe.get("/readyz").status_code == 200
    assert probe.get("/").status_code == 400  # the rest of the site still checks the host


@pytest.fixture
def coturn(tmp_path):
    """A coturn answering STUN on a free loopback UDP port."""
    executable = shutil.which("turnserver")
    if executable is None:
        pytest.fail("The readiness test needs coturn: apt-get install coturn (make test does it).")
    port = free_port()
    process = subprocess.Popen(
        [
            executable,
            "-n",
            "--listening-ip=127.0.0.1",
            f"--listening-port={port}",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--no-auth",
            f"--log-file={tmp_path / 'turn.log'}",
            f"--pidfile={tmp_path / 'turn.pid'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            stun_binding("127.0.0.1", port, timeout=0.5)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process)
                pytest.fail(f"coturn did not answer on port {port}; see {tmp_path / 'turn.log'}")
    yield process, port
    stop_process(process)


def test_readyz_reports_turn_up_then_down_with_503(client, settings, coturn):
    process, port = coturn
    settings.ICE_SERVERS = [{"urls": [f"turn:127.0.0.1:{port}"], "username": "u", "credential": "c"}]

    up = client.get("/readyz")
    assert up.status_code == 200
    assert up.json()["checks"]["turn"]["ok"] is True
    assert up.json()["checks"]["turn"]["detail"] == f"127.0.0.1:{port}"

    stop_process(process)
    down = client.get("/readyz")

    assert down.status_code == 503
    body = down.json()
    assert body["status"] == "not ready"
    assert body["checks"]["turn"]["ok"] is False
    assert f"127.0.0.1:{port}" in body["checks"]["turn"]["detail"]
    assert body["checks"]["database"]["ok"] is True


def test_readyz_probes_the_turn_servers_of_turn_urls_too(client, settings, coturn):
    _, port = coturn
    settings.ICE_SERVERS = []
    settings.TURN_URLS = [f"turn:127.0.0.1:{port}?transport=udp", f"turns:127.0.0.1:{port}"]
    settings.TURN_SECRET = "s3cret"

    ready = client.get("/readyz")

    assert ready.status_code == 200
    assert ready.json()["checks"]["turn"]["detail"] == f"127.0.0.1:{port}"


@pytest.fixture
def redis_layer(settings, tmp_path):
    """The channel layer on a throwaway redis-server, as with REDIS_URL."""
    server = RedisServer(tmp_path)
    server.start()
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [server.url]}}
    }
    yield server
    server.stop()


def test_readyz_reports_a_redis_channel_layer_up_then_down_with_503(client, redis_layer):
    up = client.get("/readyz")
    assert up.status_code == 200
    assert up.json()["checks"]["channel_layer"]["detail"] == "RedisChannelLayer"

    redis_layer.stop()
    down = client.get("/readyz")

    assert down.status_code == 503
    assert down.json()["checks"]["channel_layer"]["ok"] is False
    assert down.json()["checks"]["database"]["ok"] is True
