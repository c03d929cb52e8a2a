"""Single occurrences of a series: cancel one, move one, edit this and following; each carried the
RFC 5545 way in the .ics files and mailed to invitees as that one change only."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from meetings import room, services
from meetings.models import ChatMessage, Meeting, Participant, occurrence_key

from .helpers import berlin, berlin_weekly, dst_series_days, expand, schedule_data

JOIN = "http://testserver/m/x/"


@pytest.fixture
def days():
    return dst_series_days(timezone.now().year + 1)


@pytest.fixture
def series(alice, days, django_capture_on_commit_callbacks):
    meeting = berlin_weekly(alice, days)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_invite(
            meeting=meeting, emails_to_invite=["bob@example.org", "otto@example.org"], join_url=JOIN
        )
    mail.outbox.clear()
    return meeting


def utc(day, hour, minute=0):
    return datetime.combine(day, datetime.min.time(), UTC).replace(hour=hour, minute=minute)


def occurrence_url(name, meeting, day):
    return reverse(name, args=[meeting.code, occurrence_key(berlin(day, 10))])


def ics_of(message):
    (attachment,) = [a for a in message.attachments if a[0] == "invite.ics"]
    return icalendar.Calendar.from_ical(attachment[1])


def span(days):
    return utc(days[0], 0), utc(days[-1] + timedelta(days=7), 0)


def test_host_cancels_one_occurrence_and_invitees_get_a_cancel_for_that_date_only(
    alice_client, series, days, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(occurrence_url("meetings:occurrence_cancel", series, days[1]))

    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "otto@example.org"]
    message = mail.outbox[0]
    assert message.subject == "[Huddle] Cancelled: Berlin stand-up"
    calendar = ics_of(message)
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert event["RECURRENCE-ID"].dt == berlin(days[1], 10)
    assert event["SEQUENCE"] == 1
    assert "The other meetings of the series are unchanged." in message.body


def test_host_moves_one_occurrence_and_invitees_get_that_override_only(
    alice_client, series, days, django_capture_on_commit_callbacks
):
    new_day = days[3] + timedelta(days=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            occurrence_url("meetings:occurrence", series, days[3]),
            {"date": new_day.isoformat(), "time": "15:00", "duration_minutes": "30"},
        )

    assert response.status_code == 302
    calendar = ics_of(mail.outbox[0])
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert event["RECURRENCE-ID"].dt == berlin(days[3], 10)
    assert event["DTSTART"].dt == berlin(new_day, 15)
    assert event["DTEND"].dt == berlin(new_day, 15, 30)
    assert "RRULE" not in event
    assert "/rsvp/" in mail.outbox[0].body  # the answer links are for this occurrence


def test_series_ics_expands_to_the_exact_occurrences_with_one_cancelled_and_one_moved(
    alice_client, series, days
):
    services.occurrence_cancel(meeting=series, recurrence_id=berlin(days[1], 10), join_url=JOIN)
    services.occurrence_move(
        meeting=series,
        recurrence_id=berlin(days[3], 10),
        starts_at=berlin(days[3] + timedelta(days=2), 15),
        duration=timedelta(hours=1),
        join_url=JOIN,
    )

    ics = alice_client.get(reverse("meetings:calendar", args=[series.code])).content

    starts = [start for _, start in expand(ics, *span(days))]
    assert starts == [utc(days[0], 9), utc(days[2], 8), utc(days[3] + timedelta(days=2), 13), utc(days[4], 8)]
    master = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert master["SEQUENCE"] == 2  # each change raised it


def test_the_model_lists_the_same_occurrences(series, days):
    services.occurrence_cancel(meeting=series, recurrence_id=berlin(days[1], 10), join_url=JOIN)
    services.occurrence_move(
        meeting=series,
        recurrence_id=berlin(days[3], 10),
        starts_at=berlin(days[0] - timedelta(days=1), 9),  # moved before the series' first start
        duration=timedelta(hours=1),
        join_url=JOIN,
    )

    starts = series.occurrences(after=utc(days[0] - timedelta(days=3), 0))

    assert starts == [utc(days[0] - timedelta(days=1), 8), utc(days[0], 9), utc(days[2], 8), utc(days[4], 8)]


def test_only_an_occurrence_the_rule_gives_can_be_changed(alice_client, series, days):
    wrong = reverse("meetings:occurrence_cancel", args=[series.code, occurrence_key(berlin(days[1], 11))])

    assert alice_client.post(wrong).status_code == 404
    assert (
        alice_client.post(reverse("meetings:occurrence_cancel", args=[series.code, "garbage"])).status_code
        == 404
    )
    assert not series.occurrence_changes.exists()


def test_only_the_host_changes_occurrences(client_for, bob, series, days):
    response = client_for(bob).post(occurrence_url("meetings:occurrence_cancel", series, days[1]))

    assert response.status_code == 403
    assert not series.occurrence_changes.exists()


def test_a_one_off_meeting_has_no_single_occurrences_to_cancel(alice_client, scheduled_meeting):
    key = occurrence_key(scheduled_meeting.starts_at)

    alice_client.post(reverse("meetings:occurrence_cancel", args=[scheduled_meeting.code, key]))

    assert not scheduled_meeting.occurrence_changes.exists()
    assert Meeting.objects.get(pk=scheduled_meeting.pk).state == Meeting.State.SCHEDULED


def test_editing_the_whole_series_time_drops_single_changes(series, days):
    services.occurrence_cancel(meeting=series, recurrence_id=berlin(days[1], 10), join_url=JOIN)

    services.meeting_update(meeting=series, join_url=JOIN, starts_at=berlin(days[0], 11))

    assert not series.occurrence_changes.exists()


def test_edit_this_and_following_splits_the_series_and_the_link_stays_with_the_future(
    alice_client, series, days, django_capture_on_commit_callbacks
):
    code = series.code
    form = schedule_data(
        title="Berlin stand-up (late)",
        date=days[2].isoformat(),
        time="11:00",
        recurrence="weekly",
        recurrence_count="3",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(occurrence_url("meetings:edit_following", series, days[2]), form)

    assert response.status_code == 302
    new = Meeting.objects.get(code=code)
    old = Meeting.objects.get(pk=series.pk)
    assert new.pk != old.pk and old.code != code
    assert new.title == "Berlin stand-up (late)" and new.ical_uid != old.ical_uid
    assert sorted(new.invitations.values_list("email", flat=True)) == ["bob@example.org", "otto@example.org"]
    assert old.occurrences(after=utc(days[0], 0), limit=10) == [utc(days[0], 9), utc(days[1], 9)]
    # Both calendar files together give the whole picture, and each invitee gets one mail.
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "otto@example.org"]
    message = mail.outbox[0]
    everything = sorted(
        start for _, content, _ in message.attachments for _, start in expand(content, *span(days))
    )
    assert everything == [utc(days[0], 9), utc(days[1], 9), utc(days[2], 9), utc(days[3], 9), utc(days[4], 9)]
    assert "Changed from" in message.subject


def test_edit_this_and_following_keeps_the_series_privacy_settings(series, days):
    """A setting the form may not show (hiding addresses is offered only with TURN) still carries over."""
    series.hide_network_addresses = True
    series.waiting_room = True
    series.save()

    new = services.series_split(
        meeting=series,
        recurrence_id=berlin(days[2], 10),
        join_url_for=lambda meeting: JOIN,
        title="Berlin stand-up (late)",
    )

    assert new.hide_network_addresses and new.waiting_room
    assert new.title == "Berlin stand-up (late)"


def test_edit_this_and_following_form_starts_at_the_chosen_occurrence(alice_client, series, days):
    response = alice_client.get(occurrence_url("meetings:edit_following", series, days[2]))

    form = response.context["form"]
    assert form.initial["date"] == days[2]
    assert form.initial["recurrence_count"] == 3  # the occurrences left from there on


def test_attendance_and_chat_are_kept_per_occurrence(series, days, alice, client_for):
    first, second = berlin(days[0], 10), berlin(days[2], 10)
    for occurrence, name in [(first, "Ann"), (first, "Ben"), (second, "Cid")]:
        Participant.objects.create(
            meeting=series,
            display_name=name,
            status=Participant.Status.LEFT,
            joined_at=occurrence,
            left_at=occurrence + timedelta(minutes=30),
            occurrence=occurrence,
        )
    ChatMessage.objects.create(meeting=series, sender_name="Ann", text="last week's note", occurrence=first)
    joined = Participant.objects.create(
        meeting=series, display_name="Cid", status=Participant.Status.JOINED, occurrence=second
    )

    snapshot = room._room_snapshot(joined, series)
    page = client_for(alice).get(reverse("meetings:detail", args=[series.code])).content.decode()

    assert snapshot.chat == []  # the previous occurrence's chat is closed
    assert "Past occurrences" in page
    assert "Ann, Ben" in page and "Cid" in page
    assert [when for when, _ in services.attendance_by_occurrence(series)] == [second, first]


def test_entering_tags_the_participant_with_the_occurrence_under_way(series, days, alice):
    when = berlin(days[0], 10)

    services.meeting_start(meeting=series)
    # meeting_start uses the real clock: the first occurrence is next year, so it is the one coming.
    series.refresh_from_db()

    assert series.live_occurrence == when


def test_people_entering_a_series_call_belong_to_the_occurrence_and_chat_in_it(meeting_factory, alice):
    from meetings.tickets import Joiner

    start = (timezone.now() + timedelta(minutes=5)).replace(microsecond=0)
    meeting = meeting_factory(starts_at=start, rrule="FREQ=WEEKLY", join_before_host=True)
    ChatMessage.objects.create(
        meeting=meeting, sender_name="Old", text="last week", occurrence=start - timedelta(days=7)
    )

    host = room.participant_connect(
        joiner=Joiner(meeting.code, "Alice", alice.id, "client-a"), channel_name="a"
    )
    guest = room.participant_connect(joiner=Joiner(meeting.code, "Gus", None, "client-g"), channel_name="g")
    room.chat_post(participant_id=guest.participant.pk, text="hello")

    assert host.participant.occurrence == start and guest.participant.occurrence == start
    assert [
        m["text"] for m in room._room_snapshot(guest.participant, Meeting.objects.get(pk=meeting.pk)).chat
    ] == ["hello"]
    assert ChatMessage.objects.get(text="hello").occurrence == start


def test_a_host_whose_hosting_permission_was_taken_away_cannot_change_occurrences(
    alice_client, series, days, settings
):
    settings.HOSTING_REQUIRES_PERMISSION = True  # alice is neither staff nor given the permission

    cancel = alice_client.post(occurrence_url("meetings:occurrence_cancel", series, days[1]))
    move = alice_client.post(
        occurrence_url("meetings:occurrence", series, days[1]),
        {"date": days[1].isoformat(), "time": "12:00", "duration_minutes": "60"},
    )
    split = alice_client.post(occurrence_url("meetings:edit_following", series, days[2]), schedule_data())

    assert [cancel.status_code, move.status_code, split.status_code] == [403, 403, 403]
    assert not series.occurrence_changes.exists()
