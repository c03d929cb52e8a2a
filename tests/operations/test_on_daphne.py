"""The operator's endpoints on the production stack: a real daphne with HTTPS on, probed over plain
HTTP the way a load balancer and Prometheus reach it, while three people are in a call."""

import asyncio
import contextlib
import json
import re
import urllib.error
import urllib.request

import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect

from meetings import services
from meetings.models import Participant
from meetings.tickets import ticket_issue
from tests.servers import DaphneServer

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "prometheus-scrape-token"


@pytest.fixture(scope="module")
def daphne_process(django_db_setup, django_db_blocker, tmp_path_factory):
    server = DaphneServer(
        tmp_path_factory.mktemp("operations-daphne"),
        extra_env={
            "DJANGO_HTTPS": "1",  # production: HTTP is redirected to HTTPS
            "DJANGO_ALLOWED_HOSTS": "meet.example.org,127.0.0.1",
            "METRICS_TOKEN": TOKEN,
        },
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def daphne(daphne_process, transactional_db):
    return daphne_process


def get(server, path, *, host="10.0.0.7:8000", token=None):
    """(status, headers, body) of a plain-HTTP GET, redirects not followed."""
    request = urllib.request.Request(server.url + path, headers={"Host": host})
    if token:
        request.add_header("Authorization", f"Bearer {token}")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_probes_answer_plain_http_to_any_host_while_the_site_redirects_to_https(daphne):
    assert get(daphne, "/healthz")[0] == 200
    status, _, body = get(daphne, "/readyz")
    assert status == 200
    checks = json.loads(body)["checks"]
    assert checks["database"]["ok"] and checks["channel_layer"]["ok"]

    assert get(daphne, "/", host="10.0.0.7:8000")[0] == 400  # not an allowed host
    status, headers, _ = get(daphne, "/", host="meet.example.org")
    assert status == 301 and headers["Location"].startswith("https://meet.example.org/")


def gauge(body, name):
    match = re.search(rf"^{name} (\S+)$", body, re.MULTILINE)
    assert match, f"{name} missing from /metrics"
    return float(match.group(1))


async def test_metrics_scraped_during_a_three_person_call_show_three_people(daphne, alice):
    meeting = await database_sync_to_async(services.meeting_create)(
        host=alice, title="Standup", join_before_host=True
    )
    sockets = []
    try:
        for name in ("Ada", "Ben", "Cy"):
            ticket = ticket_issue(
                meeting_code=meeting.code, display_name=name, user_id=None, client_key=f"key-{name}"
            )
            socket = await connect(
                f"ws://127.0.0.1:{daphne.port}/ws/meetings/{meeting.code}/?ticket={ticket}",
                origin=daphne.url,
                open_timeout=10,
            )
            sockets.append(socket)
            welcome = json.loads(await asyncio.wait_for(socket.recv(), 10))
            assert welcome["type"] == "welcome"

        status, headers, body = await asyncio.to_thread(get, daphne, "/metrics", token=TOKEN)

        assert status == 200
        assert headers["Content-Type"].startswith("text/plain")
        assert gauge(body, "huddle_people_in_calls") == 3
        assert gauge(body, "huddle_meetings_live") == 1
        assert gauge(body, "huddle_websockets_open") == 3
        status, _, body = await asyncio.to_thread(get, daphne, "/metrics")
        assert status == 401
        assert "huddle_" not in body
    finally:
        for socket in sockets:
            with contextlib.suppress(Exception):
                await socket.close()
        await nobody_in_a_call()


async def nobody_in_a_call(timeout=10):
    """Let the server record the leaves before the database is flushed (PostgreSQL would deadlock)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if not await Participant.objects.filter(status__in=Participant.ACTIVE).aexists():
            return
        await asyncio.sleep(0.05)
