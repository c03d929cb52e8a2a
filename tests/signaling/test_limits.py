"""Caps that keep one client from burdening others: candidates per negotiation, sockets per address."""

import pytest

from meetings.protocol import MAX_CANDIDATES_PER_DESCRIPTION, Close

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

    from meetings import consumers

    async def full(channel, message):
        raise ChannelFull()

    monkeypatch.setattr(consumers, "_local_consumers", {})  # as if the peer were on another server
    monkeypatch.setattr(get_channel_layer(), "send", full)

    await guest.send({"type": "signal", "to": host.peer_id, "description": {"type": "offer", "sdp": "v=0"}})

    assert (await guest.receive_type("error"))["code"] == "peer_busy"
    await guest.ping()
