"""The entry rules (meetings/entry.py) decide alike at every door: the join page, the ticket endpoint,
the held socket's count and the websocket admission."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import entry, room, services
from meetings.models import Meeting, Participant
from meetings.protocol import Close
from meetings.tickets import Joiner, Refused


def joiner(meeting, name="Gus", user=None):
    return Joiner(meeting.code, name, user.id if user else None, f"client-{name}")


def code_of(refusal):
    return refusal.code if refusal else None


def test_each_rule_refuses_with_its_own_close_code(meeting_factory, alice, bob):
    meeting = meeting_factory(passcode="123456", starts_at=timezone.now() + timedelta(hours=2))

    assert code_of(entry.passcode_unproven(meeting, user_id=bob.id, session={})) == Close.NO_CREDENTIALS
    assert entry.passcode_unproven(meeting, user_id=alice.id, session={}) is None
    assert code_of(entry.not_open_yet(meeting, moderator=False)) == Close.NOT_OPEN_YET
    assert entry.not_open_yet(meeting, moderator=True) is None
    assert code_of(entry.host_not_arrived(meeting, moderator=False)) == Close.HOST_NOT_ARRIVED
    meeting.locked = True
    assert code_of(entry.locked(meeting, moderator=False)) == Close.MEETING_LOCKED
    assert entry.locked(meeting, moderator=True) is None
    meeting.state = Meeting.State.CANCELLED
    assert code_of(entry.meeting_closed(meeting)) == Close.MEETING_CANCELLED
    meeting.state = Meeting.State.ENDED
    assert code_of(entry.meeting_closed(meeting)) == Close.MEETING_ENDED


def test_a_proven_passcode_is_remembered_per_meeting(meeting_factory, bob):
    meeting = meeting_factory(passcode="123456")
    other = meeting_factory(passcode="654321")
    session = {}

    entry.passcode_remember(session, meeting)

    assert entry.passcode_unproven(meeting, user_id=bob.id, session=session) is None
    assert entry.passcode_unproven(other, user_id=bob.id, session=session) is not None


def test_removed_and_full_refuse_at_the_admission(meeting_factory, participant_factory):
    meeting = meeting_factory(join_before_host=True, max_participants=2)
    removed = participant_factory(meeting, display_name="Gus", client_key="client-Gus")
    Participant.objects.filter(pk=removed.pk).update(status=Participant.Status.REMOVED)

    with pytest.raises(Refused) as removed:
        entry.admission(meeting, joiner(meeting, "Gus"))
    assert removed.value.code == Close.REMOVED

    participant_factory(meeting, display_name="One")
    participant_factory(meeting, display_name="Two")
    with pytest.raises(Refused) as full:
        entry.admission(meeting, joiner(meeting, "Three"))
    assert full.value.code == Close.ROOM_FULL


def test_a_held_socket_before_the_window_would_meet_nobody(meeting_factory, participant_factory):
    meeting = meeting_factory(join_before_host=True, starts_at=timezone.now() + timedelta(hours=2))
    participant_factory(meeting, display_name="Early")

    assert room.hold_peer_count(joiner(meeting)) == 0


def test_a_returning_co_host_passes_the_page_and_the_ticket_like_the_websocket(
    client_for, bob, meeting_factory, participant_factory
):
    """A co-host enters before the host and before the window at the websocket; the page and the
    ticket endpoint ask the same rules, so they no longer send a co-host to wait."""
    meeting = meeting_factory(starts_at=timezone.now() + timedelta(hours=2))
    participant_factory(meeting, display_name="Bob", user=bob, role=Participant.Role.COHOST, left=True)
    client = client_for(bob)

    page = client.get(reverse("meetings:join", args=[meeting.code]))
    ticket = client.post(reverse("meetings:join_ticket", args=[meeting.code]))

    assert page.templates[0].name == "meetings/prejoin.html"
    assert ticket.status_code == 200
    assert entry.admission(meeting, joiner(meeting, "Bob", user=bob)).role == Participant.Role.COHOST


def test_a_guest_is_sent_to_wait_at_every_door(client_for, meeting_factory):
    meeting = meeting_factory()
    guest = client_for(None)
    session = guest.session
    session["meetings.guest_name"] = "Gus"
    session.save()

    page = guest.get(reverse("meetings:join", args=[meeting.code]))
    ticket = guest.post(reverse("meetings:join_ticket", args=[meeting.code]))
    status = guest.get(reverse("meetings:join_status", args=[meeting.code])).json()

    assert page.templates[0].name == "meetings/waiting_for_host.html"
    assert ticket.status_code == 409
    assert status["can_enter"] is False
    with pytest.raises(Refused) as refused:
        entry.admission(meeting, joiner(meeting))
    assert refused.value.code == Close.HOST_NOT_ARRIVED
    services.meeting_start(meeting=meeting)
    assert entry.admission(meeting, joiner(meeting)).knocks is False
