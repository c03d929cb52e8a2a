"""Websocket fixtures: the real ASGI application and channel layer, one communicator per person.

A `Person` is one browser tab. Tests open them with `join` (a fresh ticket) or `connect` (any query or
headers), and every socket is hung up at the end, before the database is flushed.
"""

import asyncio
import contextlib
import hashlib
import time

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from meetings import services
from meetings.protocol import Close
from meetings.tickets import Refused, client_key_for_session_key, ticket_issue, ticket_read

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture
def other_meeting(charlie):
    """Somebody else's call, going on at the same time."""
    return services.meeting_create(host=charlie, title="Elsewhere", join_before_host=True)


def browser_session_key(browser):
    """The session key of the browser labelled `browser` (the same label, the same browser)."""
    return hashlib.sha256(browser.encode()).hexdigest()


def browser_client_key(browser):
    """The client key the ticket endpoint derives from that browser's session."""
    return client_key_for_session_key(browser_session_key(browser))


def browser_headers(browser):
    """The headers that browser's websockets carry: its session cookie and the site's origin."""
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser_session_key(browser)}"
    return [(b"cookie", cookie.encode()), ORIGIN]


def ticket_for(meeting, name, *, user=None, client_key=None):
    """What POST /m/<code>/ticket/ would hand this person (meeting may be a code), in the browser
    labelled `client_key` (by default one of their own, named after them)."""
    return ticket_issue(
        meeting_code=getattr(meeting, "code", meeting),
        display_name=name,
        user_id=user.id if user else None,
        client_key=browser_client_key(client_key or f"client-{name}"),
    )


async def until_ticket_expired(ticket, meeting, *, within=10.0):
    """Return once `ticket` reads as expired, without blocking the event loop. signing's max_age
    counts whole seconds, so that is up to a second after TICKET_MAX_AGE."""
    deadline = time.monotonic() + within
    while True:
        try:
            ticket_read(ticket, meeting_code=getattr(meeting, "code", meeting))
        except Refused as refusal:
            if refusal.code == Close.TICKET_EXPIRED:
                return
            raise
        assert time.monotonic() < deadline, f"the ticket did not expire within {within} s"
        await asyncio.sleep(0.05)


def _session_cookie(user, session_data):
    client = Client()
    client.force_login(user)
    if session_data:
        session = client.session
        session.update(session_data)
        session.save()
    name = settings.SESSION_COOKIE_NAME
    return (b"cookie", f"{name}={client.cookies[name].value}".encode())


async def signed_in(user, **session_data):
    """The headers of a browser in which `user` is signed in (with extra session data, if given)."""
    return [await sync_to_async(_session_cookie)(user, session_data), ORIGIN]


class Person:
    """One websocket client. `first` is the first message it got (welcome, waiting or refused)."""

    def __init__(self, communicator, headers):
        self.ws = communicator
        self.headers = headers  # the browser's: a resume from this browser sends them again
        self.connected = False
        self.first = None
        self.gone = False

    @property
    def welcome(self):
        return self.first

    @property
    def peer_id(self):
        return self.first["peer_id"]

    async def send(self, message):
        await self.ws.send_json_to(message)

    async def send_raw(self, text=None, data=None):
        """Send one frame as is (even an empty one, which WebsocketCommunicator.send_to refuses)."""
        frame = (
            {"type": "websocket.receive", "text": text}
            if data is None
            else {"type": "websocket.receive", "bytes": data}
        )
        await self.ws.send_input(frame)

    async def receive(self, timeout=2):
        return await self.ws.receive_json_from(timeout=timeout)

    async def receive_type(self, kind, timeout=2):
        """Skip messages until one of this type arrives (only where the skipped ones don't matter)."""
        while True:
            message = await self.receive(timeout)
            if message["type"] == kind:
                return message

    async def nothing(self, timeout=0.2):
        """True if nothing at all arrives: used to prove that a message did not leak."""
        return await self.ws.receive_nothing(timeout=timeout)

    async def ping(self):
        """Send a ping and expect a pong as the very next message: the connection still works."""
        await self.send({"type": "ping"})
        assert await self.receive() == {"type": "pong"}

    async def closed(self, timeout=2):
        """Expect the server to close the socket next; answer like a browser (echo the code)."""
        output = await self.ws.receive_output(timeout)
        assert output["type"] == "websocket.close", output
        code = output.get("code", 1000)
        await self.hang_up(code)
        return code

    async def refusal_code(self):
        """The code of a refusal: said in a "refused" message, then used to close the socket."""
        assert self.first["type"] == "refused", self.first
        assert self.first["reason"]
        code = await self.closed()
        assert code == self.first["code"]
        return code

    async def hang_up(self, code=1000):
        """The client closes the socket: 1000/1001 mean "I left", anything else is a drop."""
        self.gone = True
        await self.ws.disconnect(code=code)


@pytest_asyncio.fixture
async def connect(transactional_db):
    """Open sockets; each is hung up at the end, even if the test fails, before the db is flushed."""
    people = []

    async def open_socket(
        meeting_or_code, *, ticket=None, query="", headers=None, expect="welcome", resume=None
    ):
        """`resume`: a resume token, sent in the first frame of a socket opened with resume=1."""
        code = getattr(meeting_or_code, "code", meeting_or_code)
        path = f"/ws/meetings/{code}/"
        params = [f"ticket={ticket}"] if ticket else []
        if resume is not None:
            params.append("resume=1")
        if query:
            params.append(query)
        if params:
            path += "?" + "&".join(params)
        headers = headers or [ORIGIN]
        person = Person(WebsocketCommunicator(application, path, headers=headers), headers)
        people.append(person)
        person.connected, _ = await person.ws.connect()
        if person.connected and resume is not None:
            await person.send({"type": "resume", "token": resume})
        if person.connected and expect:
            person.first = await person.receive()
            assert person.first["type"] == expect, person.first
        return person

    yield open_socket
    for person in people:
        if not person.gone:
            # A receive that timed out cancelled the application: disconnecting then raises
            # CancelledError (not an Exception), which must not stop the others' hang-up and leave
            # their rows behind for later tests.
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await person.ws.disconnect()
    await get_channel_layer().flush()


@pytest.fixture
def join(connect):
    """Join with a fresh ticket, as the pre-join page does, from the browser labelled `client_key`."""

    async def join_as(meeting, name, *, user=None, client_key=None, expect="welcome"):
        ticket = ticket_for(meeting, name, user=user, client_key=client_key)
        return await connect(
            meeting, ticket=ticket, expect=expect, headers=browser_headers(client_key or f"client-{name}")
        )

    return join_as


@pytest.fixture
def resume(connect):
    """Reconnect as the browser did after a drop: its resume token, from the same browser session
    unless `headers` say otherwise."""

    async def resume_as(meeting, person, *, headers=None, token=None, expect="welcome"):
        return await connect(
            meeting,
            resume=token or person.first["resume_token"],
            headers=headers or person.headers,
            expect=expect,
        )

    return resume_as


@pytest_asyncio.fixture
async def host(join, meeting, alice):
    """alice, in her own meeting."""
    return await join(meeting, "Alice", user=alice)


@pytest_asyncio.fixture
async def guest(join, meeting, host):
    """A guest without an account, in the call with alice (who has heard of the guest)."""
    person = await join(meeting, "Gus")
    assert (await host.receive())["type"] == "peer-joined"
    return person
