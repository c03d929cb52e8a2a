"""Meetings that hide network addresses: relay-only ICE, and no host or reflexive address relayed."""

import pytest
import pytest_asyncio

from meetings.protocol import candidate_type, signal_without_addresses

from .conftest import ticket_for

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "candidate:1 1 udp 2122260223 192.168.1.7 54400 typ host generation 0"
MDNS = "candidate:2 1 udp 2122260223 0b7e6a5c-2d0d-4d8c.local 54401 typ host generation 0"
SRFLX = "candidate:3 1 udp 1686052607 203.0.113.7 54400 typ srflx raddr 192.168.1.7 rport 54400 generation 0"
RELAY = "candidate:4 1 udp 41885439 198.51.100.2 60000 typ relay raddr 203.0.113.7 rport 54400 generation 0"
RELAY_CLEAN = "candidate:4 1 udp 41885439 198.51.100.2 60000 typ relay raddr 0.0.0.0 rport 0 generation 0"
OFFER_SDP = "\r\n".join(
    [
        "v=0",
        "o=- 4611 2 IN IP4 192.168.1.7",
        "s=-",
        "m=audio 54400 UDP/TLS/RTP/SAVPF 111",
        "c=IN IP4 203.0.113.7",
        "a=rtcp:54400 IN IP4 192.168.1.7",
        f"a={HOST}",
        f"a={SRFLX}",
        f"a={RELAY}",
        "a=mid:0",
        "",
    ]
)


@pytest.fixture
def hidden(settings, meeting):
    settings.TURN_URLS = ["turn:turn.example.org:3478"]
    settings.TURN_SECRET = "s3cret"
    meeting.hide_network_addresses = True
    meeting.save()
    return meeting


@pytest_asyncio.fixture
async def pair(hidden, join, alice):
    host = await join(hidden, "Alice", user=alice)
    guest = await join(hidden, "Gus")
    await host.receive_type("peer-joined")
    return host, guest


def candidate(line):
    return {"candidate": line, "sdpMid": "0", "sdpMLineIndex": 0}


async def test_everyone_is_told_to_use_the_relay_only(pair):
    host, guest = pair

    for person in (host, guest):
        assert person.welcome["ice_transport_policy"] == "relay"
        assert person.welcome["meeting"]["hide_network_addresses"] is True


async def test_a_held_socket_is_told_too(hidden, connect, join, alice):
    await join(hidden, "Alice", user=alice)

    held = await connect(hidden, ticket=ticket_for(hidden, "Gus"), query="hold=1", expect="held")

    assert held.first["ice_transport_policy"] == "relay"


@pytest.mark.parametrize("line", [HOST, MDNS, SRFLX], ids=["host", "mdns-host", "srflx"])
async def test_a_candidate_that_is_not_a_relay_is_not_delivered(pair, line):
    host, guest = pair

    await guest.send({"type": "signal", "to": host.peer_id, "candidate": candidate(line)})

    assert await host.nothing()
    assert await guest.nothing()  # no error either: the sender learns nothing of the filter


async def test_a_relay_candidate_is_delivered_without_the_senders_own_address(pair):
    host, guest = pair

    await guest.send({"type": "signal", "to": host.peer_id, "candidate": candidate(RELAY)})

    received = await host.receive()
    assert received["candidate"]["candidate"] == RELAY_CLEAN
    assert "203.0.113.7" not in str(received)


async def test_an_offer_loses_every_address_but_the_relays(pair):
    host, guest = pair

    await guest.send(
        {"type": "signal", "to": host.peer_id, "description": {"type": "offer", "sdp": OFFER_SDP}}
    )

    sdp = (await host.receive())["description"]["sdp"]
    assert "192.168.1.7" not in sdp
    assert "203.0.113.7" not in sdp
    assert "typ host" not in sdp and "typ srflx" not in sdp
    assert f"a={RELAY_CLEAN}" in sdp
    assert "c=IN IP4 0.0.0.0" in sdp
    assert "a=mid:0" in sdp


async def test_the_end_of_candidates_still_gets_through(pair):
    host, guest = pair

    await guest.send({"type": "signal", "to": host.peer_id, "candidate": None})

    assert (await host.receive())["candidate"] is None


async def test_without_turn_the_option_changes_nothing(settings, meeting, join, alice):
    meeting.hide_network_addresses = True
    await meeting.asave()
    host = await join(meeting, "Alice", user=alice)
    guest = await join(meeting, "Gus")
    await host.receive_type("peer-joined")

    await guest.send({"type": "signal", "to": host.peer_id, "candidate": candidate(HOST)})

    assert guest.welcome["ice_transport_policy"] == "all"
    assert (await host.receive())["candidate"]["candidate"] == HOST


async def test_the_site_setting_hides_addresses_in_every_meeting(settings, meeting, join, alice):
    settings.TURN_URLS = ["turn:turn.example.org:3478"]
    settings.TURN_SECRET = "s3cret"
    settings.HIDE_NETWORK_ADDRESSES = True
    host = await join(meeting, "Alice", user=alice)
    guest = await join(meeting, "Gus")
    await host.receive_type("peer-joined")

    await guest.send({"type": "signal", "to": host.peer_id, "candidate": candidate(SRFLX)})

    assert guest.welcome["ice_transport_policy"] == "relay"
    assert await host.nothing()


async def test_a_meeting_that_does_not_hide_relays_every_candidate(settings, meeting, host, guest):
    settings.TURN_URLS = ["turn:turn.example.org:3478"]
    settings.TURN_SECRET = "s3cret"

    await guest.send({"type": "signal", "to": host.peer_id, "candidate": candidate(HOST)})

    assert (await host.receive())["candidate"]["candidate"] == HOST


def test_candidate_types_are_read_from_the_line():
    assert candidate_type(HOST) == "host"
    assert candidate_type(SRFLX) == "srflx"
    assert candidate_type(RELAY) == "relay"
    assert candidate_type("candidate:1 1 udp 1 1.2.3.4 5") == ""


def test_a_line_that_only_pretends_to_be_a_relay_is_judged_by_its_typ():
    sneaky = "candidate:5 1 udp 1 192.168.1.7 5 typ host generation 0 relay"

    assert signal_without_addresses({"candidate": candidate(sneaky)}) is None


async def test_someone_who_entered_before_hiding_was_turned_on_cannot_show_their_address_to_newcomers(
    settings, meeting, join, alice
):
    settings.TURN_URLS = ["turn:turn.example.org:3478"]
    settings.TURN_SECRET = "s3cret"
    early = await join(meeting, "Alice", user=alice)
    meeting.hide_network_addresses = True
    await meeting.asave()
    newcomer = await join(meeting, "Gus")
    await early.receive_type("peer-joined")

    await early.send({"type": "signal", "to": newcomer.peer_id, "candidate": candidate(HOST)})
    await early.send({"type": "signal", "to": newcomer.peer_id, "candidate": candidate(RELAY)})

    received = await newcomer.receive()
    assert received["candidate"]["candidate"] == RELAY_CLEAN
    assert await newcomer.nothing()
