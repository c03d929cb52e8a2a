"""The signed-in home page: upcoming meetings, the personal room, past meetings with attendance."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Meeting, Participant

from .helpers import PARIS, paris


def dashboard(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.templates[0].name == "meetings/dashboard.html"
    return response


def in_a_few_days(hour, days=3):
    """`hour` o'clock in Paris, a few days from now (within the dashboard's 30-day horizon)."""
    return paris(timezone.now().astimezone(PARIS).date() + timedelta(days=days), hour)


def test_dashboard_shows_upcoming_meetings_in_the_users_time_zone(alice_client, meeting_factory):
    meeting = meeting_factory(title="Planning", starts_at=in_a_few_days(10))

    content = dashboard(alice_client).content.decode()

    assert "Planning" in content
    assert meeting.get_absolute_url() in content
    assert f'<time datetime="{meeting.starts_at.astimezone(PARIS).isoformat()}">' in content
    assert ", 10:00</time>" in content


def test_dashboard_lists_each_upcoming_occurrence_of_a_series(alice_client, meeting_factory):
    meeting_factory(
        title="Standup", starts_at=in_a_few_days(9), rrule="FREQ=DAILY;COUNT=3", recurrence="daily"
    )

    upcoming = dashboard(alice_client).context["upcoming"]

    assert [item["meeting"].title for item in upcoming] == ["Standup"] * 3
    assert [item["starts_at"] for item in upcoming] == sorted(item["starts_at"] for item in upcoming)


def test_dashboard_orders_upcoming_meetings_by_start(alice_client, meeting_factory):
    meeting_factory(title="Later", starts_at=in_a_few_days(10, days=5))
    meeting_factory(title="Sooner", starts_at=in_a_few_days(10, days=2))

    upcoming = dashboard(alice_client).context["upcoming"]

    assert [item["meeting"].title for item in upcoming] == ["Sooner", "Later"]


def test_cancelled_meetings_are_not_upcoming(alice_client, meeting_factory):
    meeting = meeting_factory(title="Called off", starts_at=in_a_few_days(10))
    alice_client.post(reverse("meetings:cancel", args=[meeting.code]))

    response = dashboard(alice_client)

    assert response.context["upcoming"] == []
    assert "Called off" not in response.content.decode()


def test_other_peoples_meetings_are_not_on_my_dashboard(alice_client, bob, meeting_factory):
    meeting_factory(host=bob, title="Bob's secret")

    assert "Bob&#x27;s secret" not in dashboard(alice_client).content.decode()


def test_live_meeting_is_upcoming_with_a_badge(alice_client, meeting_factory):
    meeting = meeting_factory(title="Right now", starts_at=timezone.now() - timedelta(hours=3))
    services.meeting_start(meeting=meeting)

    content = dashboard(alice_client).content.decode()

    assert "Right now" in content
    assert "badge-live" in content


def test_dashboard_shows_the_personal_room(alice_client, alice):
    response = dashboard(alice_client)

    room = Meeting.objects.get(host=alice, is_personal_room=True)
    assert response.context["personal_room"] == room
    assert room.get_join_url() in response.content.decode()
    dashboard(alice_client)
    assert Meeting.objects.filter(host=alice, is_personal_room=True).count() == 1


def test_personal_room_is_not_listed_as_upcoming(alice_client):
    assert dashboard(alice_client).context["upcoming"] == []


def test_past_meetings_show_their_attendance_count(alice_client, meeting_factory, participant_factory):
    held = meeting_factory(title="Retro", starts_at=timezone.now() - timedelta(days=2))
    for name in ["Dan", "Erin", "Frank"]:
        participant_factory(held, display_name=name, left=True, minutes_ago=60 * 48)
    meeting_factory(title="Never held")

    response = dashboard(alice_client)

    (past,) = response.context["past"]
    assert past.title == "Retro"
    assert past.attendance_count == 3
    assert "<td>3</td>" in response.content.decode()


def test_people_who_never_got_in_do_not_count_as_attendance(
    alice_client, meeting_factory, participant_factory
):
    held = meeting_factory(title="Retro")
    participant_factory(held, display_name="Dan")
    Participant.objects.create(meeting=held, display_name="Knocked only", status=Participant.Status.DENIED)

    (past,) = dashboard(alice_client).context["past"]

    assert past.attendance_count == 1


@pytest.fixture
def meetings_with_attendance(alice, meeting_factory, participant_factory):
    """Add n meetings for alice: a series, a one-off, all held once with two people."""

    def add(n):
        for i in range(n):
            recurring = i % 2 == 0
            meeting = meeting_factory(
                title=f"Meeting {i}",
                starts_at=timezone.now() + timedelta(days=1, hours=i),
                rrule="FREQ=DAILY;COUNT=5" if recurring else "",
                recurrence="daily" if recurring else "",
            )
            participant_factory(meeting, display_name="Dan", left=True)
            participant_factory(meeting, display_name="Erin")

    return add


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_dashboard_query_count_does_not_grow_with_meetings(
    alice_client, meetings_with_attendance, django_assert_num_queries
):
    meetings_with_attendance(2)
    dashboard(alice_client)  # creates the personal room once
    with_two = count_queries(alice_client, reverse("home"))

    meetings_with_attendance(10)

    with django_assert_num_queries(with_two):
        response = dashboard(alice_client)
    assert len(response.context["past"]) == 12
