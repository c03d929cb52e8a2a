"""Rooms that open on time: a countdown before the window, the host always in, the window following
a series' next occurrence, and the same rule at the websocket."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import room, services
from meetings.protocol import Close
from meetings.tickets import Joiner, Refused


@pytest.fixture
def guest(client_for):
    client = client_for(None)
    session = client.session
    session["meetings.guest_name"] = "Gus"
    session.save()
    return client


def join(client, meeting):
    return client.get(reverse("meetings:join", args=[meeting.code]))


def template_of(response):
    return response.templates[0].name


def test_guest_sees_a_countdown_before_the_room_opens(guest, meeting_factory):
    meeting = meeting_factory(starts_at=timezone.now() + timedelta(minutes=40), join_before_host=True)

    response = join(guest, meeting)

    assert template_of(response) == "meetings/countdown.html"
    opens_in = response.context["opens_in_ms"]
    assert 29 * 60_000 < opens_in <= 30 * 60_000  # ten minutes before the start
    page = response.content.decode()
    assert f'data-opens-in-ms="{opens_in}"' in page and "js/countdown.js" in page
    assert "(Europe/Paris)" in page  # a guest reads the meeting's zone, named


def test_before_the_window_neither_the_ticket_nor_the_status_lets_a_guest_in(guest, meeting_factory):
    meeting = meeting_factory(starts_at=timezone.now() + timedelta(minutes=40), join_before_host=True)

    ticket = guest.post(reverse("meetings:join_ticket", args=[meeting.code]))
    status = guest.get(reverse("meetings:join_status", args=[meeting.code])).json()

    assert ticket.status_code == 409
    assert status["can_enter"] is False and status["opens_in_ms"] > 29 * 60_000


def test_the_websocket_admission_refuses_before_the_window_too(meeting_factory):
    meeting = meeting_factory(starts_at=timezone.now() + timedelta(minutes=40), join_before_host=True)

    with pytest.raises(Refused) as refused:
        room.participant_connect(joiner=Joiner(meeting.code, "Gus", None, "client-gus"), channel_name="c1")

    assert refused.value.code == Close.NOT_OPEN_YET


def test_inside_the_window_join_before_host_keeps_its_meaning(guest, meeting_factory):
    straight_in = meeting_factory(starts_at=timezone.now() + timedelta(minutes=9), join_before_host=True)
    waits = meeting_factory(starts_at=timezone.now() + timedelta(minutes=9), join_before_host=False)

    assert template_of(join(guest, straight_in)) == "meetings/prejoin.html"
    assert template_of(join(guest, waits)) == "meetings/waiting_for_host.html"


def test_host_can_always_enter_and_starting_early_opens_the_room(guest, alice_client, meeting_factory):
    meeting = meeting_factory(starts_at=timezone.now() + timedelta(hours=3))

    assert template_of(join(alice_client, meeting)) == "meetings/prejoin.html"
    services.meeting_start(meeting=meeting)  # what the host's joining the call does

    assert template_of(join(guest, meeting)) == "meetings/prejoin.html"


def test_the_host_chooses_how_early_the_room_opens(guest, meeting_factory):
    meeting = meeting_factory(
        starts_at=timezone.now() + timedelta(minutes=25), open_minutes_before=30, join_before_host=True
    )

    assert template_of(join(guest, meeting)) == "meetings/prejoin.html"


def test_a_series_window_follows_its_next_occurrence(guest, meeting_factory):
    # Daily, 15 minutes long; today's ended a quarter of an hour ago, tomorrow's is the next.
    start = timezone.now() - timedelta(days=1, minutes=30)
    meeting = meeting_factory(
        starts_at=start, duration=timedelta(minutes=15), rrule="FREQ=DAILY", join_before_host=True
    )

    response = join(guest, meeting)

    assert template_of(response) == "meetings/countdown.html"
    expected = start + timedelta(days=2) - timedelta(minutes=10)
    assert abs(response.context["opens_at"] - expected) < timedelta(seconds=1)


def test_a_series_occurrence_in_its_window_is_open(guest, meeting_factory):
    start = timezone.now() - timedelta(days=1) + timedelta(minutes=5)
    meeting = meeting_factory(starts_at=start, rrule="FREQ=DAILY", join_before_host=True)

    assert template_of(join(guest, meeting)) == "meetings/prejoin.html"


def test_a_cancelled_next_occurrence_moves_the_window_to_the_one_after(guest, meeting_factory):
    start = (timezone.now() + timedelta(minutes=5)).replace(microsecond=0)  # as a form gives it
    meeting = meeting_factory(starts_at=start, rrule="FREQ=DAILY", join_before_host=True)
    services.occurrence_cancel(meeting=meeting, recurrence_id=start, join_url="http://testserver/")

    response = join(guest, meeting)

    assert template_of(response) == "meetings/countdown.html"
    assert response.context["starts_at"] == start + timedelta(days=1)
