"""The signaling websocket: one connection per participant, at /ws/meetings/<code>/.

Thin by design: it decides who is connecting before anything else, validates every frame with
meetings.protocol, and leaves every rule and row change to meetings.room and meetings.entry, which
it calls through database_sync_to_async. Each connection is in one `State`; the ACCEPTS table says
which messages each state takes. Relay of offers, answers and ICE candidates never touches the
database: each connection keeps the roster of the call in memory, seeded by the welcome snapshot and
kept current by the room's events. What the process holds across connections (the registry of its
consumers, its open-socket counts, the sweeper) is in meetings.connections.
"""

import asyncio
import enum
import json
import logging
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from channels.auth import get_user
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import ChannelFull, StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from . import channels as names
from . import connections, entry, metrics, room
from .codes import normalize_meeting_code
from .protocol import (
    CLIENT_MESSAGES,
    MAX_CANDIDATES_PER_DESCRIPTION,
    PROTOCOL_VERSION,
    RESUME_FRAME_TIMEOUT,
    Close,
    Error,
    ProtocolError,
    TokenBucket,
    chat_text,
    decode,
    lock_flag,
    media_state,
    peer_id_field,
    request_id,
    resume_token_field,
    signal_payload,
    signal_without_addresses,
)
from .throttle import websocket_connects_per_ip
from .tickets import Refused, client_key_for_session_key, ticket_read
from .turn import ice_servers_for_browser, ice_transport_policy

logger = logging.getLogger(__name__)

# RFC 6455's "internal error": a handler failed; the room was told peer-interrupted and the client resumes.
SERVER_ERROR = 1011
# Codes a browser sends when the person meant to go (Leave, tab closed): no resume grace then.
INTENTIONAL_CLOSE_CODES = {1000, 1001}


def _encode(message):
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


class State(enum.Enum):
    """Where a connection is; every frame and every room event is judged by it (ACCEPTS below)."""

    OPENING = "opening"  # accepted, its admission not decided yet: frames are ignored
    HELD = "held"  # opened on the pre-join page with hold=1, waiting for join
    RESUMING = "resuming"  # opened with resume=1, waiting for the resume frame
    WAITING = "waiting"  # in the waiting room: a row, nothing of the call
    IN_CALL = "in_call"  # admitted: relays signals, hears the room
    CLOSING = "closing"  # refused, left, removed, replaced...: frames are ignored


@dataclass(frozen=True)
class Accepts:
    """The message types a state accepts, and the error any other type gets."""

    types: frozenset
    error: str
    message: str


# Which client messages each state accepts. OPENING and CLOSING accept none and answer nothing.
ACCEPTS = {
    State.HELD: Accepts(frozenset({"ping", "join", "leave"}), Error.NOT_JOINED, "Send join first."),
    State.RESUMING: Accepts(frozenset({"resume"}), Error.NOT_JOINED, "Send resume first."),
    State.WAITING: Accepts(frozenset({"ping", "leave"}), Error.NOT_JOINED, "You are in the waiting room."),
    State.IN_CALL: Accepts(
        CLIENT_MESSAGES - {"join", "resume"}, Error.INVALID, "This connection has joined already."
    ),
}


class MeetingConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message):
        """channels' dispatch less its close_old_connections() before every message: that is a hop to
        the one database thread, which made every relayed frame queue behind joins. This consumer
        reaches the database only through database_sync_to_async, which closes them itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        try:
            await handler(message)
        except StopConsumer:
            raise
        except Exception:
            if message["type"] == "websocket.disconnect":
                logger.exception("leaving the room failed for %s", self.channel_name)
                raise StopConsumer from None
            await self._crashed(message["type"])

    async def _crashed(self, during):
        """A handler failed unexpectedly: the room hears peer-interrupted now, the socket closes with
        1011, and the client resumes on a fresh connection (docs/signaling.md, close codes).

        Without this the exception would end the consumer without its disconnect(): the participant
        would stay joined until the sweeper noticed, and nobody would be told.
        """
        logger.exception("signaling handler for %s failed on %s", during, self.channel_name)
        participant_id = self._closing()
        try:
            await self._leave_groups()
            if participant_id is not None:
                await database_sync_to_async(room.participant_interrupt)(
                    participant_id=participant_id, channel_name=self.channel_name
                )
        except Exception:  # the database may be what failed: the sweeper will mark the row then
            logger.exception("marking %s as interrupted failed", self.channel_name)
        await self.close(code=SERVER_ERROR, reason="Server error")

    # --- Connection lifecycle ---------------------------------------------------------------------

    async def connect(self):
        self.code = normalize_meeting_code(self.scope["url_route"]["kwargs"]["code"])
        self.state = State.OPENING
        self.participant_id = None  # the Participant row, while WAITING or IN_CALL
        self.peer_id = None
        self.role = None
        self.peers = {}  # peer_id -> channel name, for the relay
        self.announced = set()
        self.groups_joined = set()
        self.counted_in = []  # (connections.OpenSockets, key) this socket counts against until it closes
        config = settings.SIGNALING
        self.bucket = TokenBucket(rate=config["RATE"], burst=config["BURST"])
        self.last_received = time.monotonic()
        self.last_heartbeat_saved = 0.0
        self.watchdog = None

        self.candidates_to = {}  # peer_id -> candidates sent since our last description to it
        self.held = None  # the Joiner of a HELD socket
        self.hold_timer = None
        self.resume_timer = None
        self.peer_count = 0  # what this held socket was last told it would meet
        self.ice_servers = None  # minted for this socket (TURN credentials): held, then welcome
        self.hide_addresses = False  # relay candidates only, in both directions (the meeting's option)

        # Accept first: a refusal then reaches the browser as a close code it can explain.
        await self.accept()
        metrics.websocket_opened()
        connections.ensure_sweeper()
        query = parse_qs(self.scope.get("query_string", b"").decode(errors="replace"))
        if "hold" in query:
            await self._hold((query.get("ticket") or [""])[0])
            return
        if "resume" in query:
            await self._await_resume(query["resume"][0])
            return
        # Only a socket without a ticket needs the session's user (a database read).
        user = None if "ticket" in query else await get_user(self.scope)
        await self._enter_meeting(query=query, user=user)

    async def _enter_meeting(self, *, query=None, user=None, joiner=None, resume_token=None):
        """Admit this socket to the call or the waiting room and send the snapshot, or refuse it."""
        # Join the call's group before the snapshot is taken, so no join between the two is missed.
        await self._join_group(names.meeting_group(self.code))
        await self._join_group(names.waiting_group(self.code))
        self.state = State.OPENING
        try:
            snapshot = await database_sync_to_async(self._admit)(query, user, joiner, resume_token)
        except Refused as refusal:
            await self._refuse(refusal)
            return
        self.participant_id = snapshot.participant.pk
        self.peer_id = snapshot.participant.peer_id
        connections.register(self.channel_name, self)
        await self._apply_snapshot(snapshot)
        if self.watchdog is None:
            self.watchdog = asyncio.get_running_loop().create_task(self._watch_idle())

    async def _refuse(self, refusal):
        self.state = State.CLOSING
        metrics.websocket_refused(refusal.code)
        await self._leave_groups()
        await self.send_message({"type": "refused", "code": refusal.code, "reason": refusal.reason})
        await self.close(code=refusal.code, reason=refusal.reason[:100])

    async def _hold(self, ticket):
        """A socket opened on the pre-join page: check its ticket now, enter when it sends join.

        The handshake, the address limit and the ticket's signature are then behind the person
        before they press Join, which leaves one message and the admission on the join path.
        Nobody in the meeting hears of a held socket; it holds no place and no row.
        """
        # In the lobby before counting, so no change to the roster after the count is missed.
        await self._join_group(names.lobby_group(self.code))
        try:
            joiner, self.peer_count, self.hide_addresses = await database_sync_to_async(self._check_hold)(
                ticket
            )
        except Refused as refusal:
            await self._refuse(refusal)
            return
        self.state = State.HELD
        self.held = joiner
        # Signing out (this browser) or deactivating the account closes a held socket too.
        if joiner.client_key:
            await self._join_group(names.client_group(joiner.client_key))
        if joiner.user_id is not None:
            await self._join_group(names.user_group(joiner.user_id))
        config = settings.SIGNALING
        self.ice_servers = ice_servers_for_browser()
        await self.send_message(
            {
                "type": "held",
                "protocol": PROTOCOL_VERSION,
                "hold_timeout": config["HOLD_TIMEOUT"],
                "heartbeat_interval": config["HEARTBEAT_INTERVAL"],
                "ice_servers": self.ice_servers,
                "ice_transport_policy": ice_transport_policy(hide_addresses=self.hide_addresses),
                "peer_count": self.peer_count,
            }
        )
        loop = asyncio.get_running_loop()
        self.watchdog = loop.create_task(self._watch_idle())
        self.hold_timer = loop.create_task(self._expire_hold(config["HOLD_TIMEOUT"]))

    def _check_hold(self, ticket):
        """The address limit, the ticket, the peer count and the meeting's ICE policy, in one trip."""
        self._check_connection_allowed()
        if not ticket:
            raise Refused(Close.NO_CREDENTIALS, "A held socket needs a ticket from the join page.")
        joiner = ticket_read(ticket, meeting_code=self.code)
        self._count_account(joiner.user_id)
        hide = room.meeting_hides_network_addresses(joiner.meeting_code)
        return joiner, room.hold_peer_count(joiner), hide

    async def _expire_hold(self, seconds):
        await asyncio.sleep(seconds)
        if self.state is State.HELD:
            self._closing()
            await self._leave_groups()
            await self.close(code=Close.HOLD_EXPIRED, reason="Join was not sent in time")

    async def _await_resume(self, flag):
        """A socket opened with resume=1: the token comes in its first frame, never in the URL (which
        proxies log), and is good only with the session cookie of the browser that joined."""
        try:
            if flag != "1":
                raise Refused(
                    Close.RESUME_FAILED, "Send the resume token in the first message, not in the address."
                )
            await database_sync_to_async(self._check_connection_allowed)()
        except Refused as refusal:
            await self._refuse(refusal)
            return
        self.state = State.RESUMING
        self.resume_timer = asyncio.get_running_loop().create_task(self._expire_resume(RESUME_FRAME_TIMEOUT))

    async def _expire_resume(self, seconds):
        await asyncio.sleep(seconds)
        if self.state is State.RESUMING:
            await self._refuse(Refused(Close.RESUME_FAILED, "No resume token arrived in time."))

    def _admit(self, query, user, joiner=None, resume_token=None):
        """Who this socket is and where it goes, in one trip to the database thread."""
        if joiner is not None:  # a held socket: its address and ticket were checked when it opened
            return room.participant_connect(
                joiner=joiner,
                channel_name=self.channel_name,
                user_agent=self._user_agent(),
                address=self._address(),
            )
        if resume_token is not None:  # its address was checked when it opened
            return room.participant_resume(
                meeting_code=self.code,
                resume_token=resume_token,
                client_key=self._session_client_key(),
                channel_name=self.channel_name,
            )
        self._check_connection_allowed()
        ticket = (query.get("ticket") or [None])[0]
        if ticket:
            joiner = ticket_read(ticket, meeting_code=self.code)
        elif user is not None and user.is_authenticated:
            joiner = entry.session_joiner(self.code, user, self.scope["session"])
        else:
            raise Refused(Close.NO_CREDENTIALS, "Open the meeting's join link to get a ticket.")
        self._count_account(joiner.user_id)
        return room.participant_connect(
            joiner=joiner,
            channel_name=self.channel_name,
            user_agent=self._user_agent(),
            address=self._address(),
        )

    def _address(self):
        return (self.scope.get("client") or ["unknown"])[0]

    def _count_socket(self, sockets, key, limit, refusal):
        """Count this socket against `key` in `sockets` until it closes, or raise `refusal`."""
        if not sockets.try_open(key, limit):
            raise refusal
        self.counted_in.append((sockets, key))

    def _count_account(self, user_id):
        """Per-account limit on sockets open at once (held ones included), in this process."""
        if user_id is None:
            return
        refusal = Refused(Close.ACCOUNT_SOCKETS, "Your account has too many connections open; close some.")
        self._count_socket(
            connections.SOCKETS_PER_ACCOUNT, user_id, settings.SIGNALING["SOCKETS_PER_ACCOUNT"], refusal
        )

    def _check_connection_allowed(self):
        """Per-address limits: sockets open at once (in this process) and new sockets a minute (in
        the cache), so one machine can neither hold nor open thousands."""
        address = self._address()
        refusal = Refused(Close.ADDRESS_SOCKETS, "Too many connections open from your address; close some.")
        self._count_socket(
            connections.SOCKETS_PER_ADDRESS, address, settings.SIGNALING["SOCKETS_PER_IP"], refusal
        )
        limit = websocket_connects_per_ip()
        if limit.is_exceeded(address):
            raise Refused(
                Close.ADDRESS_BUSY, "Too many connections from your address; try again in a minute."
            )
        limit.record(address)

    def _session_client_key(self):
        """The client key of this socket's session cookie, or "" without one (never creates one)."""
        session = self.scope.get("session")
        session_key = session.session_key if session is not None else None
        return client_key_for_session_key(session_key) if session_key else ""

    def _user_agent(self):
        headers = dict(self.scope.get("headers", []))
        return headers.get(b"user-agent", b"").decode(errors="replace")

    async def _apply_snapshot(self, snapshot):
        """Send the full state first (welcome, or waiting); events follow."""
        participant = snapshot.participant
        self.role = participant.role
        await self._sync_moderator_group()
        # Logging out (this browser) or deactivating the account closes this socket.
        if participant.client_key:
            await self._join_group(names.client_group(participant.client_key))
        if participant.user_id is not None:
            await self._join_group(names.user_group(participant.user_id))
        if not snapshot.is_joined:
            self.state = State.WAITING
            await self._leave_group(names.meeting_group(self.code))  # nothing of the call until admitted
            await self.send_message(
                {
                    "type": "waiting",
                    "protocol": PROTOCOL_VERSION,
                    "peer_id": self.peer_id,
                    "resume_token": snapshot.resume_token,
                    "meeting": {"code": self.code, "title": snapshot.meeting["title"]},
                    "heartbeat_interval": settings.SIGNALING["HEARTBEAT_INTERVAL"],
                }
            )
            return
        self.state = State.IN_CALL
        self.hide_addresses = snapshot.meeting["hide_network_addresses"]
        await self._leave_group(names.waiting_group(self.code))
        self.peers = {peer["peer_id"]: peer.pop("channel") for peer in snapshot.peers}
        self.announced = set(self.peers)  # peers the client has been told of (welcome, peer-joined)
        # The held socket's servers again, so the connections made on the pre-join page stay usable.
        if self.ice_servers is None:
            self.ice_servers = ice_servers_for_browser()
        welcome = {
            "type": "welcome",
            "protocol": PROTOCOL_VERSION,
            "peer_id": self.peer_id,
            "role": self.role,
            "name": participant.display_name,
            "media": participant.media,
            "meeting": snapshot.meeting,
            "peers": snapshot.peers,
            "waiting": snapshot.waiting,
            "chat": snapshot.chat,
            "ice_servers": self.ice_servers,
            "ice_transport_policy": ice_transport_policy(hide_addresses=self.hide_addresses),
            "heartbeat_interval": settings.SIGNALING["HEARTBEAT_INTERVAL"],
        }
        if snapshot.resume_token:
            welcome["resume_token"] = snapshot.resume_token
        await self.send_message(welcome)

    async def disconnect(self, code):
        metrics.websocket_closed()
        participant_id = self._closing()
        while self.counted_in:
            sockets, key = self.counted_in.pop()
            sockets.close(key)
        for task in (self.watchdog, self.hold_timer, self.resume_timer):
            if task:
                task.cancel()
        await self._leave_groups()
        if participant_id is None:
            return
        if code in INTENTIONAL_CLOSE_CODES:
            await database_sync_to_async(room.participant_leave)(participant_id=participant_id)
        else:
            await database_sync_to_async(room.participant_interrupt)(
                participant_id=participant_id, channel_name=self.channel_name
            )

    def _closing(self, *, row_settled=False):
        """Enter CLOSING and hand back the participant whose row still needs settling, if any.

        `row_settled`: the room already marked the row (removed, denied, ended, replaced), so
        nothing is left to do with it on the way out.
        """
        self.state = State.CLOSING
        self.held = None
        connections.unregister(self.channel_name)
        participant_id, self.participant_id = self.participant_id, None
        return None if row_settled else participant_id

    async def _watch_idle(self):
        """Close a socket that stopped talking (a frozen or cut-off client) so it is announced as gone."""
        timeout = settings.SIGNALING["IDLE_TIMEOUT"]
        while True:
            await asyncio.sleep(max(0.5, timeout / 4))
            if time.monotonic() - self.last_received > timeout:
                await self.close(code=Close.IDLE_TIMEOUT, reason="No heartbeat")
                # daphne reports our own close as an abnormal drop; the grace still applies.
                return

    # --- Groups -----------------------------------------------------------------------------------

    async def _join_group(self, group):
        if group not in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.add(group)

    async def _leave_group(self, group):
        if group in self.groups_joined:
            self.groups_joined.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _leave_groups(self):
        for group in list(self.groups_joined):
            await self._leave_group(group)

    async def _sync_moderator_group(self):
        group = names.moderators_group(self.code)
        if self.role in ("host", "cohost"):
            await self._join_group(group)
        else:
            await self._leave_group(group)

    # --- Frames from the client -------------------------------------------------------------------

    async def send_message(self, message):
        await self.send(text_data=_encode(message))

    async def receive(self, text_data=None, bytes_data=None):
        self.last_received = time.monotonic()
        accepts = ACCEPTS.get(self.state)
        if accepts is None:
            return  # opening or closing: ignore whatever it sends meanwhile
        if not self.bucket.take():
            await self.send_message(
                {
                    "type": "error",
                    "code": Error.RATE_LIMITED,
                    "message": "Too many messages; the connection is closed.",
                }
            )
            # Gone for good, not interrupted: a resume would hand the flooder a fresh bucket.
            await self._leave_for_good()
            await self.close(code=Close.FLOOD, reason="Too many messages")
            return
        if self.state in (State.WAITING, State.IN_CALL):
            await self._note_alive()
        reference = None
        try:
            message = decode(text_data)
            reference = request_id(message)
            handler = self.HANDLERS.get(message["type"])
            if handler is None:
                raise ProtocolError(Error.UNKNOWN_TYPE, f"Unknown message type “{message['type'][:40]}”.")
            if message["type"] not in accepts.types:
                raise ProtocolError(accepts.error, accepts.message)
            await handler(self, message)
        except ProtocolError as error:
            reply = {"type": "error", "code": error.code, "message": error.message}
            if reference is not None:
                reply["re"] = reference
            await self.send_message(reply)

    async def _note_alive(self):
        """Any message proves the client alive; the row hears of it at most twice an interval."""
        now = time.monotonic()
        if now - self.last_heartbeat_saved >= settings.SIGNALING["HEARTBEAT_INTERVAL"] / 2:
            self.last_heartbeat_saved = now
            await database_sync_to_async(room.participant_heartbeat)(participant_id=self.participant_id)

    async def on_ping(self, message):
        await self.send_message({"type": "pong"})

    async def on_ice_servers(self, message):
        """Fresh TURN credentials, for a client about to restart ICE near its credentials' expiry."""
        self.ice_servers = ice_servers_for_browser()
        await self.send_message({"type": "ice-servers", "ice_servers": self.ice_servers})

    async def on_join(self, message):
        """A held socket enters: the same admission as a socket opened with its ticket."""
        joiner, self.held = self.held, None
        self.hold_timer.cancel()
        await self._leave_group(names.lobby_group(self.code))
        await self._enter_meeting(joiner=joiner)

    async def on_resume(self, message):
        """The first frame of a socket opened with resume=1: back to the same place, or refused."""
        token = resume_token_field(message)
        self.resume_timer.cancel()
        await self._enter_meeting(resume_token=token)

    async def on_signal(self, message):
        target = peer_id_field(message, "to")
        payload = signal_payload(message)
        channel = self.peers.get(target)
        if not channel:
            raise ProtocolError(Error.UNKNOWN_PEER, "That peer is not in this call (or is reconnecting).")
        if "description" in payload:
            self.candidates_to[target] = 0
        else:
            sent = self.candidates_to.get(target, 0) + 1
            if sent > MAX_CANDIDATES_PER_DESCRIPTION:
                raise ProtocolError(Error.TOO_MANY_CANDIDATES, "Too many ICE candidates for one negotiation.")
            self.candidates_to[target] = sent
        if self.hide_addresses:
            payload = signal_without_addresses(payload)
            if payload is None:
                return  # a host or server-reflexive candidate: the peer must not learn the address
        # The sender's channel travels with the signal: a relayed offer can overtake the peer-joined
        # that introduces its sender (that goes through the layer), and the answer must find its way.
        event = {"type": names.SIGNAL, "from": self.peer_id, "channel": self.channel_name, "payload": payload}
        metrics.signal_relayed()
        local = connections.local_consumer(channel)
        if local is not None:
            await local.meeting_signal(event)
            return
        try:
            await self.channel_layer.send(channel, event)
        except ChannelFull:
            raise ProtocolError(
                Error.PEER_BUSY, "That peer cannot take more messages now; try again."
            ) from None

    async def on_chat(self, message):
        await database_sync_to_async(room.chat_post)(
            participant_id=self.participant_id, text=chat_text(message)
        )

    async def on_media(self, message):
        await database_sync_to_async(room.participant_set_media)(
            participant_id=self.participant_id, media=media_state(message)
        )

    async def on_leave(self, message):
        """Leave at once (the others see the tile go now), then close."""
        await self._leave_for_good()
        await self.close(code=1000)

    async def _leave_for_good(self):
        participant_id = self._closing()
        await self._leave_groups()
        if participant_id is not None:
            await database_sync_to_async(room.participant_leave)(participant_id=participant_id)

    async def on_admit(self, message):
        await database_sync_to_async(room.participant_admit)(
            participant_id=self.participant_id, peer_id=peer_id_field(message)
        )

    async def on_deny(self, message):
        await database_sync_to_async(room.participant_deny)(
            participant_id=self.participant_id, peer_id=peer_id_field(message)
        )

    async def on_remove(self, message):
        await database_sync_to_async(room.participant_remove)(
            participant_id=self.participant_id, peer_id=peer_id_field(message)
        )

    async def on_mute_request(self, message):
        await database_sync_to_async(room.participant_request_mute)(
            participant_id=self.participant_id, peer_id=peer_id_field(message)
        )

    async def on_make_cohost(self, message):
        await database_sync_to_async(room.participant_make_cohost)(
            participant_id=self.participant_id, peer_id=peer_id_field(message)
        )

    async def on_lock(self, message):
        await database_sync_to_async(room.room_set_locked)(
            participant_id=self.participant_id, locked=lock_flag(message)
        )

    async def on_end(self, message):
        await database_sync_to_async(room.room_end)(participant_id=self.participant_id)

    HANDLERS = {
        "ping": on_ping,
        "ice-servers": on_ice_servers,
        "join": on_join,
        "resume": on_resume,
        "signal": on_signal,
        "chat": on_chat,
        "media": on_media,
        "leave": on_leave,
        "admit": on_admit,
        "deny": on_deny,
        "remove": on_remove,
        "mute-request": on_mute_request,
        "make-cohost": on_make_cohost,
        "lock": on_lock,
        "end": on_end,
    }

    # --- Events from the room (channel layer) -----------------------------------------------------

    async def meeting_signal(self, event):
        if self.state is not State.IN_CALL:
            return
        sender = event["from"]
        if not self.peers.get(sender) and event.get("channel"):
            # Only this server makes signal events, for peers of this meeting: the channel is true.
            self.peers[sender] = event["channel"]
        payload = event["payload"]
        if self.hide_addresses:
            # The sender's side filtered already, unless it entered before the host turned hiding on.
            payload = signal_without_addresses(payload)
            if payload is None:
                return
        await self.send_message({"type": "signal", "from": sender, **payload})

    async def meeting_peer_joined(self, event):
        peer = event["peer"]
        if self.state is not State.IN_CALL or peer["peer_id"] == self.peer_id:
            return
        self.peers[peer["peer_id"]] = event["channel"]
        if peer["peer_id"] not in self.announced:
            self.announced.add(peer["peer_id"])
            await self.send_message({"type": "peer-joined", "peer": peer})

    async def meeting_peer_left(self, event):
        if event["peer_id"] == self.peer_id or self.state is not State.IN_CALL:
            return
        self.peers.pop(event["peer_id"], None)
        if event["peer_id"] in self.announced:
            self.announced.discard(event["peer_id"])
            await self.send_message(
                {"type": "peer-left", "peer_id": event["peer_id"], "reason": event["reason"]}
            )

    async def meeting_peer_interrupted(self, event):
        if self.state is State.IN_CALL and event["peer_id"] in self.peers:
            self.peers[event["peer_id"]] = ""
            await self.send_message({"type": "peer-interrupted", "peer_id": event["peer_id"]})

    async def meeting_peer_resumed(self, event):
        if (
            self.state is State.IN_CALL
            and event["peer_id"] != self.peer_id
            and event["peer_id"] in self.peers
        ):
            self.peers[event["peer_id"]] = event["channel"]
            await self.send_message({"type": "peer-resumed", "peer_id": event["peer_id"]})

    async def meeting_peer_media(self, event):
        if self.state is State.IN_CALL:
            await self.send_message(
                {"type": "peer-media", "peer_id": event["peer_id"], "media": event["media"]}
            )

    async def meeting_peer_role(self, event):
        if self.state is not State.IN_CALL:
            return
        if event["peer_id"] == self.peer_id:
            self.role = event["role"]
            await self._sync_moderator_group()
            waiting = await database_sync_to_async(room.waiting_list)(participant_id=self.participant_id)
            await self.send_message({"type": "role", "role": self.role, "waiting": waiting})
        await self.send_message({"type": "peer-role", "peer_id": event["peer_id"], "role": event["role"]})

    async def meeting_chat(self, event):
        if self.state is State.IN_CALL:
            await self.send_message({"type": "chat", **event["message"]})

    async def meeting_lock_changed(self, event):
        if self.state is State.IN_CALL:
            await self.send_message({"type": "locked", "locked": event["locked"]})

    async def meeting_knock(self, event):
        if self.state is State.IN_CALL and self.role in ("host", "cohost"):
            await self.send_message({"type": "knock", "peer": event["peer"]})

    async def meeting_waiting_left(self, event):
        if self.state is State.IN_CALL and self.role in ("host", "cohost"):
            await self.send_message({"type": "waiting-left", "peer_id": event["peer_id"]})

    async def meeting_admitted(self, event):
        if self.state is not State.WAITING:
            return
        await self._join_group(names.meeting_group(self.code))  # before the snapshot, as on connect
        try:
            snapshot = await database_sync_to_async(room.participant_enter_after_admission)(
                participant_id=self.participant_id
            )
        except Refused as refusal:
            await self.send_message({"type": "refused", "code": refusal.code, "reason": refusal.reason})
            await self._leave_for_good()  # off the waiting list too
            await self.close(code=refusal.code, reason=refusal.reason[:100])
            return
        await self._apply_snapshot(snapshot)

    async def meeting_signed_out(self, event):
        await self.send_message(
            {"type": "signed-out", "reason": "You signed out, or your account was closed."}
        )
        await self._leave_for_good()
        await self.close(code=Close.LOGGED_OUT, reason="Signed out")

    async def meeting_denied(self, event):
        self._closing(row_settled=True)  # the room marked the row denied
        await self.send_message({"type": "denied", "reason": "The host did not let you in."})
        await self.close(code=Close.DENIED, reason="Denied")

    async def meeting_removed(self, event):
        self._closing(row_settled=True)  # the room marked the row removed
        await self.send_message({"type": "removed", "reason": "The host removed you from the meeting."})
        await self.close(code=Close.REMOVED, reason="Removed")

    async def meeting_mute_requested(self, event):
        if self.state is State.IN_CALL:
            await self.send_message({"type": "mute-request", "by": event["by"]})

    async def meeting_replaced(self, event):
        self._closing(row_settled=True)  # the row now belongs to the socket that replaced this one
        await self.send_message({"type": "replaced", "reason": "You joined from another window."})
        await self.close(code=Close.REPLACED, reason="Replaced")

    async def meeting_ended(self, event):
        self._closing(row_settled=True)  # the end marked everyone as left
        await self.send_message({"type": "ended", "reason": "The meeting has ended."})
        await self.close(code=Close.MEETING_ENDED, reason="Meeting ended")

    async def meeting_roster_changed(self, event):
        """Sent to the lobby: a held socket recounts whom it would meet, and says so if that changed."""
        if self.state is not State.HELD:
            return
        count = await database_sync_to_async(room.hold_peer_count)(self.held)
        if self.state is State.HELD and count != self.peer_count:  # the hold may have expired meanwhile
            self.peer_count = count
            await self.send_message({"type": "peer-count", "peer_count": count})

    async def meeting_started(self, event):
        """Sent to the waiting group; a socket in the waiting room waits for admission, not for this."""
