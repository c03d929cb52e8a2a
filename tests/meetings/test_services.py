"""meetings.services: state changes, broadcasts after commit, attendance export."""

import asyncio
import csv
import io
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.urls import reverse
from django.utils import timezone

from meetings import channels, services
from meetings.models import Meeting, Participant


@pytest.fixture
def listener():
    """A channel in one of a meeting's groups (the call by default), as a client's consumer would be."""
    layer = get_channel_layer()

    def listen(meeting, group=channels.meeting_group):
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(group(meeting.code), channel)
        return channel

    yield listen
    async_to_sync(layer.flush)()


def receive(channel):
    async def receive_one():
        return await asyncio.wait_for(get_channel_layer().receive(channel), timeout=1)

    return async_to_sync(receive_one)()


def test_meeting_start_makes_it_live(scheduled_meeting):
    services.meeting_start(meeting=scheduled_meeting)

    scheduled_meeting.refresh_from_db()
    assert scheduled_meeting.state == Meeting.State.LIVE
    assert scheduled_meeting.started_at is not None


def test_meeting_start_tells_those_waiting_for_the_host_after_commit(
    scheduled_meeting, listener, django_capture_on_commit_callbacks
):
    channel = listener(scheduled_meeting, group=channels.waiting_group)

    with django_capture_on_commit_callbacks() as callbacks:
        services.meeting_start(meeting=scheduled_meeting)
    assert len(callbacks) == 1, "the broadcast waits for the commit"
    callbacks[0]()

    assert receive(channel) == {"type": "meeting.started"}


def test_starting_a_cancelled_meeting_changes_nothing(meeting_factory, django_capture_on_commit_callbacks):
    meeting = meeting_factory(state=Meeting.State.CANCELLED)

    with django_capture_on_commit_callbacks() as callbacks:
        services.meeting_start(meeting=meeting)

    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CANCELLED
    assert callbacks == []


def test_meeting_end_on_a_one_off_meeting_ends_it(scheduled_meeting, participant_factory):
    services.meeting_start(meeting=scheduled_meeting)
    dan = participant_factory(scheduled_meeting, display_name="Dan")

    ended = services.meeting_end(meeting=scheduled_meeting)

    assert ended.state == Meeting.State.ENDED
    dan.refresh_from_db()
    assert dan.status == Participant.Status.LEFT
    assert dan.left_at == ended.ended_at


def test_meeting_end_returns_a_personal_room_to_scheduled(alice):
    room = services.personal_room_get_or_create(user=alice)
    services.meeting_start(meeting=room)

    ended = services.meeting_end(meeting=room)

    assert ended.state == Meeting.State.SCHEDULED
    assert ended.ended_at is not None


def test_meeting_end_returns_a_recurring_meeting_to_scheduled(meeting_factory):
    series = meeting_factory(rrule="FREQ=WEEKLY;COUNT=4", recurrence="weekly")
    services.meeting_start(meeting=series)
    services.meeting_set_locked(meeting=series, locked=True)

    ended = services.meeting_end(meeting=series)

    assert ended.state == Meeting.State.SCHEDULED
    assert not ended.locked


def test_meeting_end_is_broadcast_after_commit(
    scheduled_meeting, listener, django_capture_on_commit_callbacks
):
    services.meeting_start(meeting=scheduled_meeting)
    channel = listener(scheduled_meeting)

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_end(meeting=scheduled_meeting)

    assert receive(channel) == {"type": "meeting.ended"}


def test_meeting_lock_is_broadcast(scheduled_meeting, listener, django_capture_on_commit_callbacks):
    channel = listener(scheduled_meeting)

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_set_locked(meeting=scheduled_meeting, locked=True)

    assert receive(channel) == {"type": "meeting.lock_changed", "locked": True}


def test_host_ending_a_meeting_from_its_page(alice_client, scheduled_meeting):
    services.meeting_start(meeting=scheduled_meeting)

    alice_client.post(reverse("meetings:end", args=[scheduled_meeting.code]))

    scheduled_meeting.refresh_from_db()
    assert scheduled_meeting.state == Meeting.State.ENDED


def test_cancelling_a_live_meeting_ends_it_for_everyone_first(scheduled_meeting, participant_factory):
    services.meeting_start(meeting=scheduled_meeting)
    dan = participant_factory(scheduled_meeting, display_name="Dan")

    services.meeting_cancel(meeting=scheduled_meeting, join_url="http://testserver/m/x/")

    scheduled_meeting.refresh_from_db()
    dan.refresh_from_db()
    assert scheduled_meeting.state == Meeting.State.CANCELLED
    assert dan.status == Participant.Status.LEFT


def test_passcode_matches_only_the_exact_passcode(meeting_factory):
    meeting = meeting_factory(passcode="Secret42")

    assert services.passcode_matches(meeting=meeting, passcode="Secret42")
    assert services.passcode_matches(meeting=meeting, passcode=" Secret42 ")
    assert not services.passcode_matches(meeting=meeting, passcode="secret42")
    assert not services.passcode_matches(meeting=meeting, passcode="")
    assert not services.passcode_matches(meeting=meeting, passcode=None)


def csv_rows(client, meeting):
    response = client.get(reverse("meetings:attendance_csv", args=[meeting.code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_attendance_csv_lists_everyone_who_was_admitted(
    alice_client, scheduled_meeting, participant_factory, bob
):
    participant_factory(scheduled_meeting, display_name="Bob Member", user=bob, minutes_ago=40, left=True)
    participant_factory(scheduled_meeting, display_name="Dan", minutes_ago=5)
    Participant.objects.create(meeting=scheduled_meeting, display_name="Never admitted")

    header, *rows = csv_rows(alice_client, scheduled_meeting)

    assert header == ["name", "email", "role", "status", "joined_at", "left_at", "minutes"]
    assert [row[:4] for row in rows] == [
        ["Bob Member", "bob@example.org", "guest", "left"],
        ["Dan", "", "guest", "joined"],
    ]
    assert rows[0][6] == "10.0"


def test_attendance_csv_escapes_names_that_look_like_formulas(
    alice_client, scheduled_meeting, participant_factory
):
    for name in ["=cmd()", "+1", "-2", "@SUM(A1)"]:
        participant_factory(scheduled_meeting, display_name=name)

    names = [row[0] for row in csv_rows(alice_client, scheduled_meeting)[1:]]

    assert names == ["'=cmd()", "'+1", "'-2", "'@SUM(A1)"]


def test_attendance_is_ordered_by_arrival(scheduled_meeting, participant_factory):
    participant_factory(scheduled_meeting, display_name="Late", minutes_ago=1)
    participant_factory(scheduled_meeting, display_name="Early", minutes_ago=50)

    assert [p.display_name for p in services.attendance(scheduled_meeting)] == ["Early", "Late"]


def test_instant_meeting_starts_now_in_the_hosts_time_zone(alice):
    meeting = services.meeting_create_instant(host=alice)

    assert abs(meeting.starts_at - timezone.now()) < timedelta(seconds=5)
    assert meeting.time_zone == "Europe/Paris"
    assert meeting.state == Meeting.State.SCHEDULED
