"""Scale-out harness: real daphne processes sharing one throwaway Redis, driven by real websockets.

Every server runs the production settings with REDIS_URL set (channels-redis layer, Redis cache) on
the test database, and short liveness timeouts so that crashes and silences resolve in seconds.
Tickets are signed here with the secret the servers share (tests.servers.server_environment).
"""

import asyncio
import contextlib
import hashlib
import json
import subprocess
import sys

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from django.conf import settings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from meetings.models import Participant
from meetings.tickets import client_key_for_session_key, ticket_issue
from tests.servers import ROOT, DaphneServer, RedisServer

IDLE_TIMEOUT = 2
RESUME_GRACE = 2
SHORT_TIMEOUTS = {
    "SIGNALING_IDLE_TIMEOUT": str(IDLE_TIMEOUT),
    "SIGNALING_RESUME_GRACE": str(RESUME_GRACE),
    "SIGNALING_HEARTBEAT_INTERVAL": "1",
}
STOP_WITHIN = 2
PING_EVERY = 0.5  # the browser pings every heartbeat_interval; twice as often leaves no doubt


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis(redis_server):
    """The session's Redis, emptied: no channel, group or cache key survives from another test."""
    redis_server.flush()
    return redis_server


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    return tmp_path_factory.mktemp("static")


@pytest.fixture
def daphne(transactional_db, redis, static_root, tmp_path):
    """start(count) launches daphne processes on the shared Redis; all are stopped at the end.

    It depends on transactional_db so the servers stop before the database is flushed. A daphne
    told to stop while a worker thread is broadcasting (a participant's goodbye, say) can hang until
    killed, as its event loop stopped under the thread; the tests do not wait the usual ten seconds.
    """
    servers = []

    def start(count=1, **extra_env):
        started = []
        for _ in range(count):
            server = DaphneServer(
                tmp_path / f"daphne-{len(servers)}",
                static_root=static_root,
                extra_env={"REDIS_URL": redis.url, **SHORT_TIMEOUTS, **extra_env},
            )
            servers.append(server)
            started.append(server)
            server.start(wait=False)
        for server in started:
            server.wait_until_listening()
        return started

    yield start
    for server in servers:
        server.stop(timeout=STOP_WITHIN)


def socket_url(server, code, query):
    return f"ws://127.0.0.1:{server.port}/ws/meetings/{code}/?{query}"


def browser_session_key(name):
    """The session key of `name`'s browser: a resume is good only with the cookie that joined."""
    return hashlib.sha256(f"browser-{name}".encode()).hexdigest()


def browser_headers(name):
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={browser_session_key(name)}"}


def fresh_ticket(meeting, name):
    client_key = client_key_for_session_key(browser_session_key(name))
    return ticket_issue(meeting_code=meeting.code, display_name=name, user_id=None, client_key=client_key)


async def open_resume_socket(server, meeting, name, token, **options):
    """What the browser does after a drop: open with resume=1, send the token in the first frame."""
    socket = await connect(
        socket_url(server, meeting.code, "resume=1"),
        origin=server.url,
        additional_headers=browser_headers(name),
        **options,
    )
    await socket.send(json.dumps({"type": "resume", "token": token}))
    return socket


class Client:
    """One participant's websocket: keeps every message it receives and pings like the browser."""

    def __init__(self, name, socket):
        self.name = name
        self.socket = socket
        self.messages = []
        self.welcome = None
        self._taken = set()
        self._reader = asyncio.create_task(self._read())
        self._pinger = None

    @property
    def peer_id(self):
        return self.welcome["peer_id"]

    @property
    def closed(self):
        return self._reader.done()

    @property
    def close_code(self):
        return self.socket.close_code

    async def _read(self):
        with contextlib.suppress(ConnectionClosed):
            async for text in self.socket:
                message = json.loads(text)
                if message["type"] != "pong":
                    self.messages.append(message)

    async def _ping_forever(self):
        with contextlib.suppress(ConnectionClosed):
            while True:
                await self.send({"type": "ping"})
                await asyncio.sleep(PING_EVERY)

    def start_pinging(self):
        self._pinger = asyncio.create_task(self._ping_forever())

    async def stop_pinging(self):
        """Go silent without closing: the socket stays open, the server hears nothing more."""
        if self._pinger:
            self._pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pinger
            self._pinger = None

    async def send(self, message):
        await self.socket.send(json.dumps(message))

    async def expect(self, kind, timeout=5, **fields):
        """The first message of this type (and these field values) not returned before."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index, message in enumerate(self.messages):
                if index in self._taken or message["type"] != kind:
                    continue
                if all(message.get(key) == value for key, value in fields.items()):
                    self._taken.add(index)
                    return message
            if self.closed:
                raise AssertionError(
                    f"{self.name}'s socket closed ({self.close_code}) before a {kind} {fields or ''} "
                    f"arrived; it got {self.messages!r}"
                )
            if loop.time() > deadline:
                raise AssertionError(
                    f"{self.name} got no {kind} {fields or ''} within {timeout}s; it got {self.messages!r}"
                )
            await asyncio.sleep(0.02)

    def received(self, kind, **fields):
        return [
            message
            for message in self.messages
            if message["type"] == kind and all(message.get(key) == value for key, value in fields.items())
        ]

    async def wait_closed(self, timeout=5):
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)

    async def close(self):
        await self.stop_pinging()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.socket.close(), 2)
        self._reader.cancel()
        with contextlib.suppress(BaseException):
            await self._reader


@pytest_asyncio.fixture
async def join():
    """join(server, meeting, name) opens a pinging participant; every socket is closed at the end."""
    opened = []

    async def open_client(server, meeting, name, *, resume=None, expect="welcome"):
        options = {"open_timeout": 5, "close_timeout": 1}
        if resume:
            socket = await open_resume_socket(server, meeting, name, resume, **options)
        else:
            url = socket_url(server, meeting.code, f"ticket={fresh_ticket(meeting, name)}")
            socket = await connect(
                url, origin=server.url, additional_headers=browser_headers(name), **options
            )
        client = Client(name, socket)
        opened.append(client)
        first = await client.expect(expect, timeout=5) if expect else None
        if expect in ("welcome", "waiting"):
            client.welcome = first
        client.start_pinging()
        return client

    yield open_client
    for client in opened:
        await client.close()


@pytest.fixture
def client_process():
    """client_process(server, meeting, name) runs a pinging participant in its own process.

    Returns the process and the server's first message to it; every process is killed at the end.
    """
    processes = []

    async def launch(server, meeting, name):
        url = socket_url(server, meeting.code, f"ticket={fresh_ticket(meeting, name)}")
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.scaleout.pinging_client", url, server.url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        first = json.loads(await asyncio.to_thread(process.stdout.readline) or "null")
        assert first and first["type"] == "welcome", f"{name} was not welcomed: {first!r}"
        return process, first

    yield launch
    for process in processes:
        process.kill()
        process.wait()
        process.stdout.close()


@database_sync_to_async
def participant_rows(meeting):
    """(display_name, peer_id, status) of everyone who ever joined, oldest first."""
    return list(Participant.objects.filter(meeting=meeting).values_list("display_name", "peer_id", "status"))


@database_sync_to_async
def joined_names(meeting):
    return sorted(Participant.objects.joined().filter(meeting=meeting).values_list("display_name", flat=True))


async def poll(check, *, timeout, every=0.1):
    """Call `check` (a coroutine function) until it returns something true; that value, or the last."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await check()
        if value or loop.time() > deadline:
            return value
        await asyncio.sleep(every)
