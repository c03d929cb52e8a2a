"""The personal room is a meeting like the others: its owner sets who may come in, and its link stays."""

from django.core import mail
from django.urls import reverse

from meetings import entry, services
from meetings.models import Meeting


def personal_room_data(**overrides):
    data = {
        "title": "Alice's room",
        "description": "",
        "passcode": "",
        "allow_guests": "on",
        "max_participants": "8",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not False}


def test_owner_can_open_the_personal_room_form_without_a_date(alice_client, alice):
    room = services.personal_room_get_or_create(user=alice)

    response = alice_client.get(reverse("meetings:edit", args=[room.code]))

    assert response.status_code == 200
    form = response.context["form"]
    assert "passcode" in form.fields and "waiting_room" in form.fields and "max_participants" in form.fields
    assert "date" not in form.fields and "custom_code" not in form.fields
    assert b'name="date"' not in response.content


def test_owner_sets_passcode_waiting_room_guests_and_size_and_the_link_stays(alice_client, alice):
    room = services.personal_room_get_or_create(user=alice)
    code = room.code

    response = alice_client.post(
        reverse("meetings:edit", args=[code]),
        personal_room_data(passcode="open4me", waiting_room="on", allow_guests=False, max_participants="4"),
    )

    assert response.status_code == 302
    room = Meeting.objects.get(pk=room.pk)
    assert (room.passcode, room.waiting_room, room.allow_guests, room.max_participants) == (
        "open4me",
        True,
        False,
        4,
    )
    assert room.code == code and room.is_personal_room and room.starts_at is None


def test_a_posted_meeting_id_cannot_change_the_personal_room_link(alice_client, alice):
    room = services.personal_room_get_or_create(user=alice)

    alice_client.post(
        reverse("meetings:edit", args=[room.code]), personal_room_data(custom_code="my-new-name")
    )

    assert Meeting.objects.get(pk=room.pk).code == room.code


def test_personal_room_has_an_invite_list_whose_members_skip_the_waiting_room(
    alice_client, alice, bob, charlie, django_capture_on_commit_callbacks
):
    room = services.personal_room_get_or_create(user=alice)
    alice_client.post(reverse("meetings:edit", args=[room.code]), personal_room_data(waiting_room="on"))

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("meetings:invite", args=[room.code]), {"emails": "bob@example.org"})

    room.refresh_from_db()
    assert not entry.knocks_first(room, bob, moderator=False)
    assert entry.knocks_first(room, charlie, moderator=False)
    (message,) = mail.outbox
    assert message.to == ["bob@example.org"]
    assert f"/m/{room.code}/" in message.body
    assert message.attachments == []  # no calendar file: the room has no time


def test_guests_are_sent_to_log_in_when_the_owner_allows_members_only(alice_client, alice, client_for):
    room = services.personal_room_get_or_create(user=alice)
    alice_client.post(reverse("meetings:edit", args=[room.code]), personal_room_data(allow_guests=False))

    response = client_for().get(reverse("meetings:join", args=[room.code]))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_personal_room_is_never_behind_a_countdown(alice, client_for, bob):
    room = services.personal_room_get_or_create(user=alice)
    services.meeting_update(meeting=room, join_url="http://testserver/", join_before_host=True)

    response = client_for(bob).get(reverse("meetings:join", args=[room.code]))

    assert response.templates[0].name == "meetings/prejoin.html"
