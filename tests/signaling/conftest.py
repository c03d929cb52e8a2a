"""Websocket fixtures: real ASGI application, real channel layer, a communicator per person."""

import contextlib

import pytest
import pytest_asyncio
from channels.testing import WebsocketCommunicator
from django.core.cache import cache

from config.asgi import application
from meetings import services
from meetings.tickets import ticket_issue

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def meeting(alice):
    """A live-able meeting hosted by alice, guests welcome, no waiting room."""
    return services.meeting_create(host=alice, title="Standup", join_before_host=True)


def ticket_for(meeting, name, *, user=None, client_key=None):
    return ticket_issue(
        meeting_code=meeting.code,
        display_name=name,
        user_id=user.id if user else None,
        client_key=client_key or f"client-{name}",
    )


class Person:
    """One websocket client; `messages` keeps everything received, in order."""

    def __init__(self, communicator):
        self.ws = communicator
        self.welcome = None

    async def send(self, message):
        await self.ws.send_json_to(message)

    async def receive(self, timeout=2):
        return await self.ws.receive_json_from(timeout=timeout)

    async def receive_type(self, kind, timeout=2):
        """Skip messages until one of this type arrives (a test says which ones it ignores)."""
        while True:
            message = await self.receive(timeout)
            if message["type"] == kind:
                return message

    async def nothing(self, timeout=0.2):
        return await self.ws.receive_nothing(timeout=timeout)

    @property
    def peer_id(self):
        return self.welcome["peer_id"]


@pytest_asyncio.fixture
async def connect():
    """Open sockets; every one is closed at the end even if the test fails."""
    opened = []

    async def open_socket(meeting_or_code, *, ticket=None, query="", headers=None, expect="welcome"):
        code = getattr(meeting_or_code, "code", meeting_or_code)
        path = f"/ws/meetings/{code}/"
        params = []
        if ticket:
            params.append(f"ticket={ticket}")
        if query:
            params.append(query)
        if params:
            path += "?" + "&".join(params)
        communicator = WebsocketCommunicator(application, path, headers=headers or [ORIGIN])
        connected, _ = await communicator.connect()
        person = Person(communicator)
        opened.append(communicator)
        if connected and expect:
            first = await person.receive()
            assert first["type"] == expect, first
            if expect in ("welcome", "waiting"):
                person.welcome = first
            else:
                person.first = first
        person.connected = connected
        return person

    yield open_socket
    for communicator in opened:
        with contextlib.suppress(Exception):
            await communicator.disconnect()
