"""The personal calendar feed, read back as calendar apps read it: icalendar + recurring-ical-events,
and vobject as a second, independent implementation."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import CalendarFeed

from .helpers import berlin, berlin_weekly, dst_series_days, expand, expand_with_vobject

JOIN = "http://testserver/m/x/"


@pytest.fixture
def days():
    return dst_series_days(timezone.now().year + 1)


@pytest.fixture
def series(alice, bob, days):
    """Weekly 10:00 Berlin across the spring change; bob is invited; the 2nd is cancelled and the
    4th moved to Thursday 15:00."""
    meeting = berlin_weekly(alice, days)
    services.meeting_invite(meeting=meeting, emails_to_invite=[bob.email], join_url=JOIN)
    services.occurrence_cancel(meeting=meeting, recurrence_id=berlin(days[1], 10), join_url=JOIN)
    services.occurrence_move(
        meeting=meeting,
        recurrence_id=berlin(days[3], 10),
        starts_at=berlin(days[3] + timedelta(days=2), 15),
        duration=timedelta(minutes=30),
        join_url=JOIN,
    )
    meeting.refresh_from_db()
    return meeting


def feed_url(user):
    return reverse("meetings:calendar_feed", args=[services.calendar_feed_get_or_create(user=user).token])


def window(days):
    return datetime.combine(days[0], datetime.min.time(), UTC), datetime.combine(
        days[-1] + timedelta(days=7), datetime.min.time(), UTC
    )


def test_feed_expands_to_the_exact_occurrences_across_dst_with_one_cancelled_and_one_moved(
    client, bob, series, days
):
    response = client.get(feed_url(bob))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    uid = f"{series.ical_uid}@huddle"
    assert expand(response.content, *window(days)) == [
        (uid, datetime.combine(days[0], datetime.min.time(), UTC).replace(hour=9)),  # 10:00 CET
        (uid, datetime.combine(days[2], datetime.min.time(), UTC).replace(hour=8)),  # 10:00 CEST
        (
            uid,
            datetime.combine(days[3] + timedelta(days=2), datetime.min.time(), UTC).replace(hour=13),
        ),  # moved
        (uid, datetime.combine(days[4], datetime.min.time(), UTC).replace(hour=8)),
    ]


def test_feed_carries_changes_the_rfc_5545_way(client, bob, series, days):
    calendar = icalendar.Calendar.from_ical(client.get(feed_url(bob)).content)

    master, override = calendar.walk("VEVENT")
    assert master["RRULE"]["FREQ"] == ["WEEKLY"]
    assert master["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [d.dt for d in master["EXDATE"].dts] == [berlin(days[1], 10)]
    assert override["UID"] == master["UID"]
    assert override["RECURRENCE-ID"].dt == berlin(days[3], 10)
    assert override["SEQUENCE"] > 0 and master["SEQUENCE"] >= override["SEQUENCE"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_a_second_implementation_reads_the_same_occurrences_from_the_feed(client, bob, series, days):
    ics = client.get(feed_url(bob)).content

    assert expand_with_vobject(ics, *window(days)) == expand(ics, *window(days))
    assert len(expand(ics, *window(days))) == 4


def test_feed_lists_what_a_person_hosts_or_is_invited_to_and_nothing_else(
    client, alice, bob, charlie, series, meeting_factory
):
    other = meeting_factory(host=charlie, title="Charlie's own")
    cancelled = meeting_factory(title="Called off")
    services.meeting_cancel(meeting=cancelled, join_url=JOIN)

    def summaries(user):
        calendar = icalendar.Calendar.from_ical(client.get(feed_url(user)).content)
        return {str(e["SUMMARY"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}

    assert summaries(bob) == {"Berlin stand-up": "CONFIRMED"}
    assert summaries(alice) == {"Berlin stand-up": "CONFIRMED", "Called off": "CANCELLED"}
    assert "Charlie's own" not in summaries(alice) and other.title in summaries(charlie)


def test_unchanged_feed_is_answered_not_modified(client, bob, series, django_assert_max_num_queries):
    url = feed_url(bob)
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"]

    with django_assert_max_num_queries(3):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304 and again.content == b""
    assert by_date.status_code == 304


def test_a_change_gives_the_feed_a_new_etag(client, bob, series, days):
    url = feed_url(bob)
    before = client.get(url)["ETag"]

    services.occurrence_cancel(meeting=series, recurrence_id=berlin(days[4], 10), join_url=JOIN)
    after = client.get(url, HTTP_IF_NONE_MATCH=before)

    assert after.status_code == 200 and after["ETag"] != before
    assert len(expand(after.content, *window(dst_series_days(timezone.now().year + 1)))) == 3


def test_profile_shows_the_feed_as_webcal_and_https_with_copy_and_reset(client_for, bob):
    page = client_for(bob).get(reverse("accounts:profile")).content.decode()

    token = CalendarFeed.objects.get(user=bob).token
    assert f'href="webcal://testserver/calendar/{token}.ics"' in page
    assert f"http://testserver/calendar/{token}.ics" in page
    assert "Copy calendar link" in page and "Reset calendar link" in page


def test_reset_link_makes_the_old_one_404_at_once(client, client_for, bob, series):
    old = feed_url(bob)
    assert client.get(old).status_code == 200

    response = client_for(bob).post(reverse("meetings:calendar_feed_reset"))

    assert response.status_code == 302
    gone = client.get(old)
    assert gone.status_code == 404
    assert "This calendar link is not valid" in gone.content.decode()
    assert client.get(feed_url(bob)).status_code == 200


def flip(text, index):
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


def test_tampered_feed_link_gives_a_clear_error_page(client, bob, series):
    token = services.calendar_feed_get_or_create(user=bob).token
    key, _, signature = token.rpartition(":")

    for forged in [flip(key, 0) + ":" + signature, key + ":" + flip(signature, 3), key, "nothing-here"]:
        response = client.get(reverse("meetings:calendar_feed", args=[forged]))
        assert response.status_code == 404
        assert "This calendar link is not valid" in response.content.decode()


def test_feed_of_a_deactivated_account_is_gone(client, bob, series):
    url = feed_url(bob)
    bob.is_active = False
    bob.save()

    assert client.get(url).status_code == 404


def test_feed_query_count_does_not_grow_with_meetings(client, alice, bob, days, django_assert_num_queries):
    def make_series(n):
        meeting = berlin_weekly(alice, days, title=f"Series {n}")
        meeting.invitations.create(email=bob.email)
        services.occurrence_cancel(meeting=meeting, recurrence_id=berlin(days[1], 10), join_url=JOIN)

    make_series(0)
    url = feed_url(bob)
    with django_assert_num_queries(5) as one:
        client.get(url)
    for n in range(1, 5):
        make_series(n)

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == 5
