"""The .ics file: parsed back with icalendar, as a calendar application would."""

from datetime import date, timedelta

from django.urls import reverse

from meetings.models import Meeting
from meetings.services import personal_room_get_or_create

from .helpers import PARIS, next_january_15, schedule_data, the_event


def download(client, meeting):
    response = client.get(reverse("meetings:calendar", args=[meeting.code]))
    assert response.status_code == 200
    return response


def test_calendar_file_is_served_as_an_ics_attachment(alice_client, scheduled_meeting):
    response = download(alice_client, scheduled_meeting)

    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == f'attachment; filename="{scheduled_meeting.code}.ics"'


def test_calendar_event_has_uid_sequence_start_with_tzid_and_join_link(alice_client):
    alice_client.post(
        reverse("meetings:schedule"),
        schedule_data(
            title="Planning", time="10:00", duration_minutes="45", recurrence="weekly", recurrence_count="10"
        ),
    )
    meeting = Meeting.objects.get()

    calendar, event = the_event(download(alice_client, meeting).content)

    join_url = f"http://testserver/m/{meeting.code}/"
    assert calendar["METHOD"] == "PUBLISH"
    assert str(event["UID"]).startswith(str(meeting.ical_uid))
    assert event["SEQUENCE"] == 0
    assert str(event["SUMMARY"]) == "Planning"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    start = event.decoded("DTSTART")
    assert (start.date(), start.hour, start.minute) == (next_january_15(), 10, 0)
    assert start.utcoffset() == timedelta(hours=1)
    assert event.decoded("DTEND") - start == timedelta(minutes=45)
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    assert event["RRULE"]["BYDAY"] == [
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][next_january_15().weekday()]
    ]
    assert event["RRULE"]["COUNT"] == [10]
    assert join_url in str(event["DESCRIPTION"])
    assert str(event["URL"]) == join_url
    assert str(event["ORGANIZER"]) == "mailto:alice@example.org"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"


def test_calendar_uid_is_stable_and_sequence_grows_across_edits(alice_client, scheduled_meeting):
    _, before = the_event(download(alice_client, scheduled_meeting).content)

    alice_client.post(reverse("meetings:edit", args=[scheduled_meeting.code]), schedule_data(title="Moved"))
    _, after = the_event(download(alice_client, scheduled_meeting).content)

    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert str(after["SUMMARY"]) == "Moved"


def test_calendar_until_is_utc_as_rfc_5545_requires_with_a_tzid_start(alice_client):
    until = next_january_15() + timedelta(days=14)
    alice_client.post(
        reverse("meetings:schedule"), schedule_data(recurrence="daily", recurrence_until=until.isoformat())
    )

    _, event = the_event(download(alice_client, Meeting.objects.get()).content)

    (until_value,) = event["RRULE"]["UNTIL"]
    assert until_value.utcoffset() == timedelta(0)
    assert until_value.astimezone(PARIS).date() == until


def test_calendar_of_a_meeting_with_a_passcode_tells_the_passcode(alice_client, meeting_factory):
    meeting = meeting_factory(passcode="Secret42")

    _, event = the_event(download(alice_client, meeting).content)

    assert "Passcode: Secret42" in str(event["DESCRIPTION"])


def test_calendar_of_a_personal_room_is_still_valid(alice_client, alice):
    room = personal_room_get_or_create(user=alice)

    _, event = the_event(download(alice_client, room).content)

    assert event.decoded("DTSTART").date() <= date.today() + timedelta(days=1)
    assert "RRULE" not in event
