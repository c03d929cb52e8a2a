"""A passcode reaches only those who proved it (or the host): never a page, socket or admission."""

import pytest
from django.urls import reverse

from meetings import room, services
from meetings.tickets import Joiner

pytestmark = pytest.mark.django_db

PASSCODE = "Zebra42"


@pytest.fixture
def meeting(alice):
    return services.meeting_create(
        host=alice, title="Secret", passcode=PASSCODE, join_before_host=True, waiting_room=True
    )


def test_no_page_before_the_passcode_shows_it(client, meeting):
    for url in [
        reverse("meetings:join", args=[meeting.code]),
        reverse("meetings:join_status", args=[meeting.code]),
    ]:
        assert PASSCODE not in client.get(url).content.decode()


def test_the_prejoin_page_of_a_guest_who_proved_it_does_not_repeat_it(client, meeting):
    join_url = reverse("meetings:join", args=[meeting.code])
    client.post(join_url, {"passcode": PASSCODE})
    client.post(join_url, {"display_name": "Gus"})
    page = client.get(join_url).content.decode()
    assert "Join" in page
    assert PASSCODE not in page


def test_neither_the_waiting_message_nor_the_welcome_after_admission_carries_it(
    meeting, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        host = room.participant_connect(joiner=Joiner(meeting.code, "Alice", alice.id, "a"), channel_name="a")
        waiting = room.participant_connect(joiner=Joiner(meeting.code, "Gus", None, "g"), channel_name="g")
        room.participant_admit(participant_id=host.participant.pk, peer_id=waiting.participant.peer_id)
        admitted = room.participant_enter_after_admission(participant_id=waiting.participant.pk)

    for snapshot in (waiting, admitted):
        assert PASSCODE not in repr(snapshot.meeting) + repr(snapshot.peers) + repr(snapshot.waiting)


def test_the_invitation_email_carries_it_for_invitees(
    alice_client, meeting, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("meetings:invite", args=[meeting.code]), {"emails": "guest@example.org"})
    assert PASSCODE in mailoutbox[0].body


def test_passcodes_are_compared_in_constant_time(meeting, monkeypatch):
    import hmac

    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))

    assert services.passcode_matches(meeting=meeting, passcode=PASSCODE)
    assert not services.passcode_matches(meeting=meeting, passcode="Zebra4")
    assert calls == [(PASSCODE.encode(), PASSCODE.encode()), (PASSCODE.encode(), b"Zebra4")]
