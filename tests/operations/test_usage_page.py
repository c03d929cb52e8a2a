"""The staff's usage page: the last seven days from the attendance rows, drawn without a script."""

import datetime

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Participant
from operations.usage import daily_figures, peak_overlap

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 12, 15, 0, tzinfo=datetime.UTC)


def attend(meeting, name, joined, left=None, status=Participant.Status.LEFT):
    return Participant.objects.create(
        meeting=meeting, display_name=name, joined_at=joined, left_at=left, status=status
    )


@pytest.fixture
def week_of_meetings(alice, bob):
    """Two meetings yesterday, overlapping for three people at once; one the day before."""
    standup = services.meeting_create(host=alice, title="Standup")
    review = services.meeting_create(host=bob, title="Review")
    yesterday = NOW - datetime.timedelta(days=1)
    at = lambda day, hour, minute=0: day.replace(hour=hour, minute=minute)  # noqa: E731
    attend(standup, "Alice", at(yesterday, 9), at(yesterday, 10))
    attend(standup, "Gus", at(yesterday, 9, 30), at(yesterday, 10))
    attend(review, "Bob", at(yesterday, 9, 45), at(yesterday, 10, 15))
    attend(review, "Tess", at(yesterday, 10), at(yesterday, 10, 15))  # starts as Alice and Gus leave
    attend(standup, "Alice", at(NOW - datetime.timedelta(days=2), 23, 30), at(yesterday, 0, 30))
    attend(review, "Bob", NOW - datetime.timedelta(minutes=20), status=Participant.Status.JOINED)
    return standup, review


def test_daily_figures_count_meetings_minutes_and_peak_people(week_of_meetings):
    with timezone.override("UTC"):
        days = daily_figures(days=7, now=NOW)

    assert [day.day for day in days] == [NOW.date() - datetime.timedelta(days=n) for n in range(6, -1, -1)]
    today, yesterday, before = days[-1], days[-2], days[-3]
    assert (today.meetings_held, today.minutes, today.peak_people) == (1, 20, 1)
    # 60 + 30 + 30 + 15 minutes at 9:00-10:15, and the 30 minutes after midnight.
    assert (yesterday.meetings_held, yesterday.minutes, yesterday.peak_people) == (2, 165, 3)
    assert (before.meetings_held, before.minutes, before.peak_people) == (1, 30, 1)
    assert all(day.meetings_held == 0 for day in days[:-3])


def test_back_to_back_attendances_do_not_count_as_overlapping():
    t = timezone.now()
    minute = datetime.timedelta(minutes=1)

    assert peak_overlap([(t, t + minute), (t + minute, t + 2 * minute)]) == 1
    assert peak_overlap([(t, t + 2 * minute), (t + minute, t + 3 * minute)]) == 2


def test_staff_see_the_usage_page_with_inline_svg_charts(
    client, staff, week_of_meetings, django_assert_max_num_queries
):
    client.force_login(staff)

    with django_assert_max_num_queries(8):
        response = client.get("/operations/usage/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 3
    assert 'aria-label="Meetings held, day by day:' in html
    assert 'data-figure="people-in-calls">1<' in html
    assert "<script>" not in html and "style=" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_members_who_are_not_staff_cannot_see_the_usage_page(alice_client):
    response = alice_client.get("/operations/usage/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"] or "/accounts/login/" in response["Location"]


def test_days_are_the_viewers_own(week_of_meetings):
    """23:30-00:30 UTC is 00:30-01:30 in Paris: all of it on one day there."""
    with timezone.override("Europe/Paris"):
        days = daily_figures(days=7, now=NOW)

    assert (days[-3].minutes, days[-2].minutes) == (0, 195)
