"""Only the host (and staff) may see a meeting's details, change it, or download its files."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import personal_room_get_or_create

from .helpers import next_january_15, schedule_data

HOST_PAGES = ["meetings:detail", "meetings:edit", "meetings:calendar", "meetings:attendance_csv"]
HOST_ACTIONS = ["meetings:cancel", "meetings:end", "meetings:invite"]


@pytest.mark.parametrize("page", HOST_PAGES)
def test_host_can_open_host_pages(alice_client, scheduled_meeting, page):
    assert alice_client.get(reverse(page, args=[scheduled_meeting.code])).status_code == 200


@pytest.mark.parametrize("page", HOST_PAGES)
def test_staff_can_open_host_pages(staff_client, scheduled_meeting, page):
    assert staff_client.get(reverse(page, args=[scheduled_meeting.code])).status_code == 200


@pytest.mark.parametrize("page", HOST_PAGES)
@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_other_members_cannot_open_host_pages(client_for, request, scheduled_meeting, page, persona):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(reverse(page, args=[scheduled_meeting.code])).status_code == 403


@pytest.mark.parametrize("action", HOST_ACTIONS)
def test_other_members_cannot_manage_a_meeting(client_for, bob, scheduled_meeting, action):
    response = client_for(bob).post(
        reverse(action, args=[scheduled_meeting.code]), {"emails": "x@example.org"}
    )

    assert response.status_code == 403
    scheduled_meeting.refresh_from_db()
    assert scheduled_meeting.state == Meeting.State.SCHEDULED
    assert not scheduled_meeting.invitations.exists()


@pytest.mark.parametrize("page", HOST_PAGES)
def test_anonymous_visitor_is_sent_to_login(client, scheduled_meeting, page):
    url = reverse(page, args=[scheduled_meeting.code])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("action", HOST_ACTIONS)
def test_anonymous_visitor_cannot_manage_a_meeting(client, scheduled_meeting, action):
    response = client.post(reverse(action, args=[scheduled_meeting.code]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    scheduled_meeting.refresh_from_db()
    assert scheduled_meeting.state == Meeting.State.SCHEDULED


def test_host_page_of_an_unknown_meeting_is_not_found(alice_client, db):
    assert alice_client.get(reverse("meetings:detail", args=["nope-nope"])).status_code == 404


def test_guest_cannot_edit_meeting(client_for, bob, scheduled_meeting):
    response = client_for(bob).post(
        reverse("meetings:edit", args=[scheduled_meeting.code]), schedule_data(title="Hijacked")
    )

    assert response.status_code == 403
    scheduled_meeting.refresh_from_db()
    assert scheduled_meeting.title == "Team sync"


def test_host_can_cancel_meeting(alice_client, scheduled_meeting):
    response = alice_client.post(reverse("meetings:cancel", args=[scheduled_meeting.code]))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    scheduled_meeting.refresh_from_db()
    assert scheduled_meeting.state == Meeting.State.CANCELLED
    assert scheduled_meeting.cancelled_at is not None


def test_staff_can_cancel_meeting(staff_client, scheduled_meeting):
    staff_client.post(reverse("meetings:cancel", args=[scheduled_meeting.code]))

    scheduled_meeting.refresh_from_db()
    assert scheduled_meeting.state == Meeting.State.CANCELLED


def test_cancel_needs_a_post(alice_client, scheduled_meeting):
    assert alice_client.get(reverse("meetings:cancel", args=[scheduled_meeting.code])).status_code == 405
    scheduled_meeting.refresh_from_db()
    assert scheduled_meeting.state == Meeting.State.SCHEDULED


def test_personal_room_cannot_be_cancelled(alice_client, alice):
    room = personal_room_get_or_create(user=alice)

    alice_client.post(reverse("meetings:cancel", args=[room.code]))

    room.refresh_from_db()
    assert room.state == Meeting.State.SCHEDULED


def test_host_edit_saves_the_change(alice_client, scheduled_meeting):
    response = alice_client.post(
        reverse("meetings:edit", args=[scheduled_meeting.code]),
        schedule_data(title="Renamed", duration_minutes="90"),
    )

    assert response.status_code == 302
    scheduled_meeting.refresh_from_db()
    assert scheduled_meeting.title == "Renamed"
    assert scheduled_meeting.duration.total_seconds() == 90 * 60


def test_edit_bumps_the_calendar_sequence_and_keeps_the_uid(alice_client, scheduled_meeting):
    uid, sequence = scheduled_meeting.ical_uid, scheduled_meeting.ical_sequence

    alice_client.post(reverse("meetings:edit", args=[scheduled_meeting.code]), schedule_data(title="Renamed"))
    alice_client.post(
        reverse("meetings:edit", args=[scheduled_meeting.code]), schedule_data(title="Renamed again")
    )

    scheduled_meeting.refresh_from_db()
    assert scheduled_meeting.ical_uid == uid
    assert scheduled_meeting.ical_sequence == sequence + 2


def test_edit_form_shows_the_start_in_the_meetings_time_zone(alice_client, alice):
    alice_client.post(reverse("meetings:schedule"), schedule_data(time="10:00"))
    meeting = Meeting.objects.get()

    form = alice_client.get(reverse("meetings:edit", args=[meeting.code])).context["form"]

    assert form["time"].value().strftime("%H:%M") == "10:00"
    assert form["duration_minutes"].value() == 60
    assert form["custom_code"].value() == meeting.code


def test_edit_keeping_the_start_of_a_series_that_already_began_is_allowed(alice_client, meeting_factory):
    series = meeting_factory(starts_at=timezone.now() - timedelta(days=7), rrule="FREQ=WEEKLY;COUNT=5")
    form = alice_client.get(reverse("meetings:edit", args=[series.code])).context["form"]
    data = schedule_data(
        title="Renamed",
        date=form["date"].value().isoformat(),
        time=form["time"].value().strftime("%H:%M"),
        recurrence="weekly",
        recurrence_count="5",
    )

    response = alice_client.post(reverse("meetings:edit", args=[series.code]), data)

    assert response.status_code == 302, response.context["form"].errors
    series.refresh_from_db()
    assert series.title == "Renamed"


def test_edit_can_change_the_meeting_id(alice_client, scheduled_meeting):
    response = alice_client.post(
        reverse("meetings:edit", args=[scheduled_meeting.code]), schedule_data(custom_code="CSC342")
    )

    assert response["Location"] == reverse("meetings:detail", args=["csc342"])
    scheduled_meeting.refresh_from_db()
    assert scheduled_meeting.code == "csc342"


def test_edit_cannot_take_another_meetings_id(alice_client, meeting_factory):
    meeting_factory(code="csc342")
    second = meeting_factory()

    response = alice_client.post(
        reverse("meetings:edit", args=[second.code]), schedule_data(custom_code="CSC342")
    )

    assert "taken" in response.context["form"].errors["custom_code"][0]
    assert Meeting.objects.get(pk=second.pk).code == second.code


def test_cancelled_meeting_cannot_be_edited(alice_client, scheduled_meeting):
    alice_client.post(reverse("meetings:cancel", args=[scheduled_meeting.code]))

    response = alice_client.post(
        reverse("meetings:edit", args=[scheduled_meeting.code]), schedule_data(title="Back")
    )

    assert response.status_code == 302
    scheduled_meeting.refresh_from_db()
    assert scheduled_meeting.title == "Team sync"
    assert scheduled_meeting.state == Meeting.State.CANCELLED


def test_detail_page_shows_join_links_and_passcode_link(alice_client, meeting_factory):
    meeting = meeting_factory(passcode="Secret42")

    content = alice_client.get(reverse("meetings:detail", args=[meeting.code])).content.decode()

    assert f"http://testserver/m/{meeting.code}/" in content
    assert f"http://testserver/m/{meeting.code}/?pwd=Secret42" in content
    assert 'data-copy-target="join-link"' in content
    assert reverse("meetings:calendar", args=[meeting.code]) in content


def resubmit_edit_form(client, meeting, **changes):
    """Post the edit form back as the browser shows it, with a few fields changed."""
    form = client.get(reverse("meetings:edit", args=[meeting.code])).context["form"]
    data = {}
    for field in form:
        value = field.value()
        if value in (None, False):
            continue
        data[field.name] = "on" if value is True else field.field.widget.format_value(value) or value
    data.update(changes)
    return client.post(reverse("meetings:edit", args=[meeting.code]), data)


@pytest.mark.parametrize("end", [{"recurrence_count": "10"}, {"recurrence_until": "UNTIL"}])
def test_editing_a_series_keeps_its_end(alice_client, end):
    until = next_january_15() + timedelta(days=60)
    end = {key: until.isoformat() if value == "UNTIL" else value for key, value in end.items()}
    alice_client.post(reverse("meetings:schedule"), schedule_data(recurrence="weekly", **end))
    meeting = Meeting.objects.get()
    rrule = meeting.rrule

    response = resubmit_edit_form(alice_client, meeting, title="Renamed")

    assert response.status_code == 302, response.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.title == "Renamed"
    assert meeting.rrule == rrule
