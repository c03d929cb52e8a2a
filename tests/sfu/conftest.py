"""Real Janus servers for the SFU tests, and a hand-written browser-side Janus client."""

import asyncio
import itertools
import json

import pytest
import websockets

from meetings import room, services
from meetings.tickets import Joiner
from tests.janus_server import JanusServer

_browsers = itertools.count(1)


@pytest.fixture
def one_janus(tmp_path, settings):
    """One Janus, configured as the site's only media server."""
    server = JanusServer(tmp_path)
    server.start()
    settings.JANUS_SERVERS = [{**server.setting(), "name": "janus-a"}]
    yield server
    server.stop()


@pytest.fixture
def two_janus(tmp_path, settings):
    """Two Janus servers, both in JANUS_SERVERS (named a and b)."""
    servers = [JanusServer(tmp_path / "a"), JanusServer(tmp_path / "b")]
    for server in servers:
        server.workdir.mkdir()
        server.start()
    settings.JANUS_SERVERS = [
        {**server.setting(), "name": name} for server, name in zip(servers, ["a", "b"], strict=True)
    ]
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def live_meeting(alice):
    return services.meeting_create(host=alice, title="Assembly", join_before_host=True)


def join(meeting, name, *, user=None):
    """Someone comes into the call as the consumer would bring them: the room's own service."""
    joiner = Joiner(
        meeting_code=meeting.code,
        display_name=name,
        user_id=user.pk if user else None,
        client_key=f"browser-{next(_browsers)}",
    )
    return room.participant_connect(joiner=joiner, channel_name=f"test.{joiner.client_key}").participant


class BrowserJanus:
    """What a browser does with Janus, by hand: the JSON API over Janus's websocket transport."""

    def __init__(self, url):
        self.url = url
        self.socket = None
        self._transactions = itertools.count(1)

    async def __aenter__(self):
        self.socket = await websockets.connect(self.url, subprotocols=["janus-protocol"])
        return self

    async def __aexit__(self, *exc):
        await self.socket.close()

    async def request(self, body, *, timeout=10):
        """Send one request; the answer with its transaction (skipping acks and unrelated events)."""
        transaction = f"t{next(self._transactions)}"
        await self.socket.send(json.dumps({**body, "transaction": transaction}))
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await self.socket.recv())
                if message.get("transaction") == transaction and message.get("janus") != "ack":
                    return message

    async def session(self, token=None):
        """A Janus session and a VideoRoom handle: (session, handle), or the error Janus gave."""
        extra = {"token": token} if token else {}
        created = await self.request({"janus": "create", **extra})
        if created["janus"] == "error":
            return created["error"]
        attached = await self.request(
            {
                "janus": "attach",
                "session_id": created["data"]["id"],
                "plugin": "janus.plugin.videoroom",
                **extra,
            }
        )
        if attached["janus"] == "error":
            return attached["error"]
        return created["data"]["id"], attached["data"]["id"]

    async def videoroom(self, ids, body, *, token=None):
        """A VideoRoom request on the handle: its plugin data, or Janus's own error."""
        session, handle = ids
        extra = {"token": token} if token else {}
        answer = await self.request(
            {"janus": "message", "session_id": session, "handle_id": handle, "body": body, **extra}
        )
        if answer["janus"] == "error":
            return {"janus_error": answer["error"]}
        return answer["plugindata"]["data"]
