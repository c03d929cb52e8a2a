"""The Django admin for meetings: what staff see, and the actions going through meetings.services."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import ChatMessage, Meeting, Participant

CHANGELIST = reverse("admin:meetings_meeting_changelist")
PARTICIPANTS = reverse("admin:meetings_participant_changelist")


def run_action(client, action, *meetings):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [m.pk for m in meetings], "index": 0}
    )


@pytest.fixture
def live_meeting(meeting_factory, participant_factory):
    meeting = meeting_factory(title="Board call")
    services.meeting_start(meeting=meeting)
    participant_factory(meeting, display_name="Dan")
    participant_factory(meeting, display_name="Erin")
    participant_factory(meeting, display_name="Frank", left=True)
    return meeting


def test_members_cannot_open_the_meetings_admin(client_for, alice):
    response = client_for(alice).get(CHANGELIST)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_changelist_shows_meetings_with_their_live_participant_count(staff_client, live_meeting):
    response = staff_client.get(CHANGELIST)

    assert response.status_code == 200
    content = response.content.decode()
    assert live_meeting.code in content
    assert "Board call" in content
    assert '<td class="field-live_participants">2</td>' in content
    (row,) = response.context["cl"].result_list
    assert row.live_count == 2


@pytest.mark.parametrize("query", ["Board", "BOARD CALL", "alice@example", "{code}"])
def test_changelist_search_finds_by_title_id_or_host_email(
    staff_client, live_meeting, meeting_factory, bob, query
):
    meeting_factory(host=bob, title="Unrelated")

    response = staff_client.get(CHANGELIST, {"q": query.format(code=live_meeting.code)})

    assert [m.pk for m in response.context["cl"].result_list] == [live_meeting.pk]


def test_changelist_filters_by_state(staff_client, live_meeting, meeting_factory):
    meeting_factory(title="Later")

    response = staff_client.get(CHANGELIST, {"state__exact": "live"})

    assert [m.pk for m in response.context["cl"].result_list] == [live_meeting.pk]


def test_change_page_shows_participants_and_chat_read_only(staff_client, live_meeting):
    ChatMessage.objects.create(meeting=live_meeting, sender_name="Dan", text="Hello all")

    response = staff_client.get(reverse("admin:meetings_meeting_change", args=[live_meeting.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Hello all" in content
    assert "Erin" in content
    assert 'name="participants-0-display_name"' not in content


def test_end_now_action_ends_the_meeting_and_marks_everyone_left(staff_client, live_meeting):
    response = run_action(staff_client, "end_now", live_meeting)

    assert response.status_code == 302
    live_meeting.refresh_from_db()
    assert live_meeting.state == Meeting.State.ENDED
    assert live_meeting.ended_at is not None
    assert not live_meeting.participants.joined().exists()
    assert all(p.left_at is not None for p in live_meeting.participants.all())


def test_lock_and_unlock_actions(staff_client, live_meeting):
    run_action(staff_client, "lock", live_meeting)
    live_meeting.refresh_from_db()
    assert live_meeting.locked

    run_action(staff_client, "unlock", live_meeting)
    live_meeting.refresh_from_db()
    assert not live_meeting.locked


def test_cancel_action_cancels_but_spares_personal_rooms(staff_client, scheduled_meeting, alice):
    room = services.personal_room_get_or_create(user=alice)

    run_action(staff_client, "cancel", scheduled_meeting, room)

    scheduled_meeting.refresh_from_db()
    room.refresh_from_db()
    assert scheduled_meeting.state == Meeting.State.CANCELLED
    assert room.state == Meeting.State.SCHEDULED


def test_participants_changelist_shows_how_long_each_stayed(staff_client, live_meeting):
    Participant.objects.filter(display_name="Frank").update(
        joined_at=timezone.now() - timedelta(minutes=95), left_at=timezone.now() - timedelta(minutes=20)
    )

    content = staff_client.get(PARTICIPANTS).content.decode()

    assert '<td class="field-attended">1 h 15 min</td>' in content


@pytest.fixture
def meetings_with_people(alice, bob, meeting_factory, participant_factory):
    def add(n):
        for i in range(n):
            meeting = meeting_factory(host=alice if i % 2 else bob, title=f"Meeting {i}")
            participant_factory(meeting, display_name="Dan", user=bob)
            participant_factory(meeting, display_name="Erin", left=True)

    return add


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", [CHANGELIST, PARTICIPANTS])
def test_admin_changelist_query_count_does_not_grow_with_rows(
    staff_client, meetings_with_people, django_assert_num_queries, url
):
    meetings_with_people(2)
    with_two = count_queries(staff_client, url)

    meetings_with_people(10)

    with django_assert_num_queries(with_two):
        staff_client.get(url)
