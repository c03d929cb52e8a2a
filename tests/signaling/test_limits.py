"""Caps that keep one client from burdening others: candidates per negotiation, sockets per address
and per account, chat messages per participant."""

import pytest

from meetings.models import ChatMessage
from meetings.protocol import MAX_CANDIDATES_PER_DESCRIPTION, Close, Error

from .conftest import ticket_for

pytestmark = pytest.mark.django_db(transaction=True)

CANDIDATE = {
    "candidate": "candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
}


async def test_candidates_beyond_the_cap_are_refused_until_the_next_description(host, guest, settings):
    settings.SIGNALING = {**settings.SIGNALING, "RATE": 10_000, "BURST": 10_000}
    for _ in range(MAX_CANDIDATES_PER_DESCRIPTION):
        await guest.send({"type": "signal", "to": host.peer_id, "candidate": CANDIDATE})
    await guest.send({"type": "signal", "to": host.peer_id, "candidate": CANDIDATE, "id": "one-too-many"})

    error = await guest.receive_type("error")
    assert error["code"] == "too_many_candidates"
    assert error["re"] == "one-too-many"
    received = 0
    while await host.ws.receive_nothing(timeout=0.3) is False:
        message = await host.receive()
        received += message["type"] == "signal"
    assert received == MAX_CANDIDATES_PER_DESCRIPTION

    await guest.send({"type": "signal", "to": host.peer_id, "description": {"type": "offer", "sdp": "v=0"}})
    await guest.send({"type": "signal", "to": host.peer_id, "candidate": CANDIDATE})
    assert (await host.receive_type("signal"))["description"]["type"] == "offer"
    assert "candidate" in await host.receive_type("signal")


async def test_one_address_may_open_only_so_many_sockets_a_minute(join, meeting, host, settings):
    settings.SIGNALING = {**settings.SIGNALING, "CONNECTS_PER_IP_PER_MINUTE": 3}
    # host used one; two more are allowed, the fourth is refused before anything else happens.
    await join(meeting, "Two")
    await join(meeting, "Three")

    refused = await join(meeting, "Four", expect="refused")

    assert await refused.refusal_code() == Close.ADDRESS_BUSY


async def test_a_peer_whose_channel_is_full_gives_a_clear_error_not_a_crash(host, guest, monkeypatch):
    from channels.exceptions import ChannelFull
    from channels.layers import get_channel_layer

    from meetings import connections

    async def full(channel, message):
        raise ChannelFull()

    monkeypatch.setattr(connections, "_consumers", {})  # as if the peer were on another server
    monkeypatch.setattr(get_channel_layer(), "send", full)

    await guest.send({"type": "signal", "to": host.peer_id, "description": {"type": "offer", "sdp": "v=0"}})

    assert (await guest.receive_type("error"))["code"] == "peer_busy"
    await guest.ping()


async def test_one_address_may_hold_only_so_many_sockets_open_at_once(join, meeting, host, settings):
    settings.SIGNALING = {**settings.SIGNALING, "SOCKETS_PER_IP": 3}
    two = await join(meeting, "Two")
    await join(meeting, "Three")

    refused = await join(meeting, "Four", expect="refused")
    assert await refused.refusal_code() == Close.ADDRESS_SOCKETS
    assert await host.receive_type("peer-joined")

    await two.hang_up(1000)  # one closes: there is room again
    five = await join(meeting, "Five")
    assert five.welcome["name"] == "Five"


async def test_one_account_may_hold_only_so_many_sockets_open_at_once(
    connect, meeting, other_meeting, bob, settings
):
    settings.SIGNALING = {**settings.SIGNALING, "SOCKETS_PER_ACCOUNT": 2}
    hold = "hold=1"
    await connect(meeting, ticket=ticket_for(meeting, "Bob", user=bob), query=hold, expect="held")
    await connect(other_meeting, ticket=ticket_for(other_meeting, "Bob", user=bob), query=hold, expect="held")

    third = await connect(
        meeting, ticket=ticket_for(meeting, "Bob", user=bob, client_key="phone"), expect="refused"
    )

    assert await third.refusal_code() == Close.ACCOUNT_SOCKETS
    other = await connect(meeting, ticket=ticket_for(meeting, "Guest"))  # others are not affected
    assert other.welcome["name"] == "Guest"


async def test_chat_beyond_the_rate_is_refused_and_the_socket_stays_open(host, guest, settings):
    settings.SIGNALING = {**settings.SIGNALING, "CHAT_PER_10_SECONDS": 3}

    for n in range(5):
        await guest.send({"type": "chat", "text": f"message {n}", "id": n})

    errors = []
    texts = []
    for _ in range(5):
        reply = await guest.receive()
        (errors if reply["type"] == "error" else texts).append(reply)
    assert [m["text"] for m in texts] == ["message 0", "message 1", "message 2"]
    assert [(e["code"], e["re"]) for e in errors] == [(Error.CHAT_TOO_FAST, 3), (Error.CHAT_TOO_FAST, 4)]
    assert await ChatMessage.objects.acount() == 3
    assert [(await host.receive_type("chat"))["text"] for _ in range(3)] == [m["text"] for m in texts]
    assert await host.nothing()
    await guest.ping()
