"""TURN credentials: minted for each socket, handed over in held and welcome only, never in a page."""

import base64
import hashlib
import hmac
import time

import pytest

from meetings.turn import ice_servers_for_browser

from .conftest import ticket_for

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "turn-secret-of-the-tests"
TURN = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"]
STATIC = [{"urls": "stun:stun.example.org:3478"}]


@pytest.fixture
def turn(settings):
    settings.TURN_URLS = [*TURN, "stun:turn.example.org:3478"]
    settings.TURN_SECRET = SECRET
    settings.TURN_TTL = 3600
    settings.ICE_SERVERS = STATIC
    return settings


def relay_of(servers):
    [relay] = [server for server in servers if "username" in server]
    return relay


def assert_valid_credential(relay, *, ttl=3600):
    expiry, opaque = relay["username"].split(":")
    assert abs(int(expiry) - (time.time() + ttl)) < 30
    assert len(opaque) >= 16
    expected = base64.b64encode(hmac.new(SECRET.encode(), relay["username"].encode(), hashlib.sha1).digest())
    assert relay["credential"] == expected.decode()


async def test_welcome_hands_out_a_turn_credential_next_to_the_static_servers(turn, join, meeting, alice):
    host = await join(meeting, "Alice", user=alice)

    servers = host.welcome["ice_servers"]
    assert servers[0] == STATIC[0]
    assert {"urls": ["stun:turn.example.org:3478"]} in servers
    relay = relay_of(servers)
    assert relay["urls"] == TURN
    assert_valid_credential(relay)


async def test_the_username_names_nobody(turn, join, meeting, alice):
    host = await join(meeting, "Alice", user=alice)

    username = relay_of(host.welcome["ice_servers"])["username"]
    for personal in ("alice", "Alice", alice.email, host.peer_id):
        assert personal not in username.split(":", 1)[1]


async def test_each_participant_gets_a_credential_of_its_own(turn, join, meeting, host):
    guest = await join(meeting, "Gus")

    mine = relay_of(host.welcome["ice_servers"])["username"]
    theirs = relay_of(guest.welcome["ice_servers"])["username"]
    assert mine != theirs


async def test_a_held_socket_keeps_its_credential_through_join(turn, connect, meeting, host):
    held = await connect(meeting, ticket=ticket_for(meeting, "Gus"), query="hold=1", expect="held")
    assert_valid_credential(relay_of(held.first["ice_servers"]))

    await held.send({"type": "join"})
    welcome = await held.receive_type("welcome")

    # The same servers: the connections made on the pre-join page are used, not made again.
    assert welcome["ice_servers"] == held.first["ice_servers"]


async def test_a_resumed_socket_gets_a_fresh_credential(turn, connect, join, meeting, host):
    guest = await join(meeting, "Gus")
    await guest.hang_up(code=4000)

    back = await connect(meeting, resume=guest.welcome["resume_token"], headers=guest.headers)

    relay = relay_of(back.first["ice_servers"])
    assert_valid_credential(relay)
    assert relay["username"] != relay_of(guest.welcome["ice_servers"])["username"]


async def test_a_participant_can_ask_for_fresh_credentials(turn, host):
    await host.send({"type": "ice-servers"})

    reply = await host.receive_type("ice-servers")
    relay = relay_of(reply["ice_servers"])
    assert_valid_credential(relay)
    assert relay["username"] != relay_of(host.welcome["ice_servers"])["username"]


async def test_a_waiting_socket_cannot_mint_credentials(turn, join, meeting, host):
    meeting.waiting_room = True
    await meeting.asave(update_fields=["waiting_room"])
    knocking = await join(meeting, "Gus", expect="waiting")

    await knocking.send({"type": "ice-servers"})

    reply = await knocking.receive()
    assert reply["type"] == "error"
    assert reply["code"] == "not_joined"


async def test_without_turn_the_static_servers_are_handed_out_as_they_are(settings, join, meeting, alice):
    settings.ICE_SERVERS = STATIC
    settings.TURN_URLS = []
    settings.TURN_SECRET = ""

    host = await join(meeting, "Alice", user=alice)

    assert host.welcome["ice_servers"] == STATIC


def test_the_ttl_sets_the_expiry(turn):
    turn.TURN_TTL = 600
    now = 1_900_000_000

    relay = relay_of(ice_servers_for_browser(now=now))

    assert relay["username"].startswith(f"{now + 600}:")


def test_the_join_pages_carry_no_credential(turn, client, meeting, alice):
    client.force_login(alice)

    page = client.get(meeting.get_join_url()).content.decode()

    assert "turn.example.org" not in page
    assert SECRET not in page
    assert "credential" not in page
