import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from meetings import room
from meetings.models import ChatMessage, MeetingEvent, Participant

from .conftest import connect

pytestmark = pytest.mark.django_db


def kinds(meeting):
    return list(meeting.events.values_list("kind", flat=True))


def test_a_call_leaves_a_trail_of_who_joined_was_removed_and_who_ended_it(
    meeting, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        host = connect(meeting, "Alice", user=alice)
        guest = connect(meeting, "Gus")
        room.participant_make_cohost(participant_id=host.pk, peer_id=guest.peer_id)
        room.room_set_locked(participant_id=host.pk, locked=True)
        room.participant_remove(participant_id=host.pk, peer_id=guest.peer_id)
        room.room_end(participant_id=host.pk)

    assert kinds(meeting) == ["started", "joined", "joined", "made_cohost", "locked", "removed", "ended"]
    descriptions = [event.describe() for event in meeting.events.all()]
    assert "Alice made Gus co-host" in descriptions
    assert "Alice removed Gus" in descriptions
    assert "Alice: ended the meeting" in descriptions


def test_the_waiting_room_trail_records_knock_admission_and_denial(
    meeting, alice, django_capture_on_commit_callbacks
):
    meeting.waiting_room = True
    meeting.save()
    with django_capture_on_commit_callbacks(execute=True):
        host = connect(meeting, "Alice", user=alice)
        admitted = connect(meeting, "Ann")
        denied = connect(meeting, "Dan")
        room.participant_admit(participant_id=host.pk, peer_id=admitted.peer_id)
        room.participant_deny(participant_id=host.pk, peer_id=denied.peer_id)

    assert kinds(meeting)[-4:] == ["knocked", "knocked", "admitted", "denied"]


def test_leaving_and_losing_the_connection_are_told_apart(
    meeting, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stayer = connect(meeting, "Sue")
        leaver = connect(meeting, "Leo")
        room.participant_leave(participant_id=leaver.pk)
        Participant.objects.filter(pk=stayer.pk).update(last_seen_at=timezone.now() - timedelta(hours=1))
        room.participants_prune_stale()

    assert kinds(meeting)[-2:] == ["left", "timed_out"]


def test_admin_actions_are_recorded_with_the_staff_members_name(staff_client_and_user, meeting):
    client, staff = staff_client_and_user
    client.post(
        reverse("admin:meetings_meeting_changelist"),
        {"action": "lock", "_selected_action": [meeting.pk]},
    )
    event = meeting.events.get(kind=MeetingEvent.Kind.LOCKED)
    assert event.actor_name == staff.public_name
    assert event.actor is None


@pytest.fixture
def staff_client_and_user(client, staff):
    client.force_login(staff)
    return client, staff


def test_host_sees_the_trail_on_the_meeting_page_and_downloads_it(
    alice_client, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        connect(meeting, "<b>Mallory</b>")

    page = alice_client.get(reverse("meetings:detail", args=[meeting.code])).content.decode()
    assert "&lt;b&gt;Mallory&lt;/b&gt; joined" in page

    response = alice_client.get(reverse("meetings:events_csv", args=[meeting.code]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["time", "event", "by", "about", "description"]
    assert [row[1] for row in rows[1:]] == ["started", "joined"]
    assert rows[2][3] == "<b>Mallory</b>"


def test_only_the_host_and_staff_may_download_the_trail(client, bob, meeting):
    client.force_login(bob)
    assert client.get(reverse("meetings:events_csv", args=[meeting.code])).status_code == 403


def test_retention_deletes_old_chat_and_events_and_keeps_recent_ones(meeting, settings):
    settings.RETENTION_DAYS = 30
    long_ago = timezone.now() - timedelta(days=31)
    old_chat = ChatMessage.objects.create(meeting=meeting, sender_name="A", text="old", sent_at=long_ago)
    new_chat = ChatMessage.objects.create(meeting=meeting, sender_name="A", text="new")
    old_event = MeetingEvent.objects.create(
        meeting=meeting, kind="joined", subject_name="A", created_at=long_ago
    )
    new_event = MeetingEvent.objects.create(meeting=meeting, kind="joined", subject_name="A")

    out = io.StringIO()
    call_command("prune_meeting_data", stdout=out)

    assert "Deleted 1 chat messages and 1 events older than 30 days" in out.getvalue()
    assert not ChatMessage.objects.filter(pk=old_chat.pk).exists()
    assert not MeetingEvent.objects.filter(pk=old_event.pk).exists()
    assert ChatMessage.objects.filter(pk=new_chat.pk).exists()
    assert MeetingEvent.objects.filter(pk=new_event.pk).exists()


def test_retention_dry_run_deletes_nothing(meeting):
    ChatMessage.objects.create(
        meeting=meeting, sender_name="A", text="old", sent_at=timezone.now() - timedelta(days=999)
    )
    out = io.StringIO()
    call_command("prune_meeting_data", "--dry-run", "--days", "10", stdout=out)
    assert "Would delete 1 chat messages" in out.getvalue()
    assert ChatMessage.objects.count() == 1
