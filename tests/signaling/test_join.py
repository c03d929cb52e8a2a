"""Joining a call: the welcome snapshot, the others hearing of it, and the rows it changes."""

import pytest

from meetings.models import Meeting, Participant
from meetings.protocol import PROTOCOL_VERSION

from .conftest import signed_in, ticket_for

pytestmark = pytest.mark.django_db(transaction=True)

STUN = [{"urls": ["stun:stun.example.org:3478"]}, {"urls": "turn:turn.example.org", "username": "u"}]
FRESH_MEDIA = {"audio": True, "video": True, "screen": False, "hand": False}


async def test_host_welcome_describes_the_call(settings, join, meeting, alice):
    settings.ICE_SERVERS = STUN

    host = await join(meeting, "Alice", user=alice)

    welcome = host.welcome
    assert welcome["protocol"] == PROTOCOL_VERSION
    assert welcome["role"] == "host"
    assert welcome["name"] == "Alice"
    assert welcome["media"] == FRESH_MEDIA
    assert welcome["meeting"] == {
        "code": meeting.code,
        "title": "Standup",
        "host_name": "Alice Host",
        "locked": False,
        "waiting_room": False,
        "mute_on_entry": False,
        "max_participants": meeting.max_participants,
        "hide_network_addresses": False,
    }
    assert welcome["peers"] == []
    assert welcome["waiting"] == []
    assert welcome["chat"] == []
    assert welcome["ice_servers"] == STUN
    assert welcome["heartbeat_interval"] == settings.SIGNALING["HEARTBEAT_INTERVAL"]
    assert welcome["resume_token"]
    participant = await Participant.objects.aget(meeting=meeting)
    assert welcome["peer_id"] == participant.peer_id


async def test_guest_welcome_lists_peers_with_names_and_media(join, meeting, host):
    guest = await join(meeting, "Gus")

    assert guest.welcome["role"] == "guest"
    assert guest.welcome["peer_id"] != host.peer_id
    assert guest.welcome["peers"] == [
        {"peer_id": host.peer_id, "name": "Alice", "role": "host", "media": FRESH_MEDIA}
    ]
    assert guest.welcome["resume_token"] != host.welcome["resume_token"]


async def test_others_hear_peer_joined(join, meeting, host):
    guest = await join(meeting, "Gus")

    assert await host.receive() == {
        "type": "peer-joined",
        "peer": {"peer_id": guest.peer_id, "name": "Gus", "role": "guest", "media": FRESH_MEDIA},
    }
    assert await host.nothing()
    assert await guest.nothing()


async def test_joining_marks_the_participant_joined_and_the_meeting_live(join, meeting, alice):
    assert meeting.state == Meeting.State.SCHEDULED

    host = await join(meeting, "Alice", user=alice)

    participant = await Participant.objects.aget(peer_id=host.peer_id)
    assert participant.status == Participant.Status.JOINED
    assert participant.joined_at is not None
    assert participant.user_id == alice.id
    assert participant.role == Participant.Role.HOST
    await meeting.arefresh_from_db()
    assert meeting.state == Meeting.State.LIVE
    assert meeting.started_at is not None


async def test_member_with_a_ticket_joins_as_a_guest_linked_to_their_account(join, meeting, host, bob):
    member = await join(meeting, "Bob", user=bob)

    assert member.welcome["role"] == "guest"
    participant = await Participant.objects.aget(peer_id=member.peer_id)
    assert participant.user_id == bob.id


async def test_signed_in_user_joins_with_the_session_instead_of_a_ticket(connect, meeting, alice):
    host = await connect(meeting, headers=await signed_in(alice))

    assert host.welcome["role"] == "host"
    assert host.welcome["name"] == "Alice Host"
    participant = await Participant.objects.aget(peer_id=host.peer_id)
    assert participant.user_id == alice.id


async def test_meeting_code_in_the_url_is_normalised(connect, meeting, alice):
    host = await connect(meeting.code.upper(), ticket=ticket_for(meeting, "Alice", user=alice))

    assert host.welcome["meeting"]["code"] == meeting.code


async def test_leaving_tells_the_others_and_marks_left(meeting, host, guest):
    await guest.send({"type": "leave"})

    assert await host.receive() == {"type": "peer-left", "peer_id": guest.peer_id, "reason": "left"}
    assert await guest.closed() == 1000
    participant = await Participant.objects.aget(peer_id=guest.peer_id)
    assert participant.status == Participant.Status.LEFT
    assert participant.left_at is not None


async def test_meeting_goes_back_to_scheduled_when_the_last_person_leaves(meeting, host):
    await host.send({"type": "leave"})
    await host.closed()

    await meeting.arefresh_from_db()
    assert meeting.state == Meeting.State.SCHEDULED
