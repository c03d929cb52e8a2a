"""POST /m/<code>/ticket/: the pre-join page's "Join" gets a one-use ticket for the websocket."""

import pytest
from django.test import Client
from django.urls import reverse

from meetings import services
from meetings.entry import SESSION_PASSCODES
from meetings.models import Meeting
from meetings.tickets import client_key_for_session, ticket_read
from meetings.views import SESSION_GUEST_NAME

pytestmark = pytest.mark.django_db


def ticket_url(meeting):
    return reverse("meetings:join_ticket", args=[meeting.code])


def named_guest(client, meeting, name="Gus"):
    """A visitor who typed their name on the join page, as a guest does."""
    response = client.post(meeting.get_join_url(), {"display_name": name})
    assert response.status_code == 302
    return client


def remember(client, **data):
    session = client.session
    session.update(data)
    session.save()


def assert_sent_to_the_join_page(response, meeting):
    assert response.status_code == 409
    assert response.json() == {"error": "gate", "location": meeting.get_join_url()}


def test_named_guest_gets_a_ticket_for_this_meeting(client, meeting):
    named_guest(client, meeting)

    response = client.post(ticket_url(meeting))

    assert response.status_code == 200
    body = response.json()
    assert body["websocket"] == f"/ws/meetings/{meeting.code}/"
    joiner = ticket_read(body["ticket"], meeting_code=meeting.code)
    assert (joiner.display_name, joiner.user_id) == ("Gus", None)
    assert joiner.client_key == client_key_for_session(client.session)
    assert joiner.nonce


def test_every_ticket_is_different(client, meeting):
    named_guest(client, meeting)

    first, second = (client.post(ticket_url(meeting)).json()["ticket"] for _ in range(2))

    assert first != second


def test_signed_in_member_gets_a_ticket_in_their_name(client, meeting, bob):
    client.force_login(bob)

    joiner = ticket_read(client.post(ticket_url(meeting)).json()["ticket"], meeting_code=meeting.code)

    assert (joiner.display_name, joiner.user_id) == ("Bob Member", bob.id)


def test_host_gets_a_ticket_before_the_meeting_started(alice_client, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(join_before_host=False)

    assert alice_client.post(ticket_url(meeting)).status_code == 200


def test_get_is_not_allowed(client, meeting):
    named_guest(client, meeting)

    assert client.get(ticket_url(meeting)).status_code == 405


def test_post_without_the_csrf_token_is_forbidden(meeting):
    browser = Client(enforce_csrf_checks=True)
    remember(browser, **{SESSION_GUEST_NAME: "Gus"})

    assert browser.post(ticket_url(meeting)).status_code == 403


def test_unknown_meeting_is_404(client, db):
    assert client.post("/m/no-such-room/ticket/").status_code == 404


def test_guest_without_a_name_is_sent_to_the_join_page(client, meeting):
    assert_sent_to_the_join_page(client.post(ticket_url(meeting)), meeting)


def test_passcode_not_yet_proven_is_sent_to_the_join_page(client, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(passcode="123456")
    remember(client, **{SESSION_GUEST_NAME: "Gus"})

    assert_sent_to_the_join_page(client.post(ticket_url(meeting)), meeting)


def test_proven_passcode_gets_a_ticket(client, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(passcode="123456")
    remember(client, **{SESSION_GUEST_NAME: "Gus", SESSION_PASSCODES: [meeting.code]})

    assert client.post(ticket_url(meeting)).status_code == 200


def test_guest_waiting_for_the_host_is_sent_to_the_join_page(client, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(join_before_host=False)
    meeting.refresh_from_db()
    named_guest(client, meeting)

    assert_sent_to_the_join_page(client.post(ticket_url(meeting)), meeting)


def test_guest_in_a_members_only_meeting_is_sent_to_the_join_page(client, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(allow_guests=False)

    assert_sent_to_the_join_page(client.post(ticket_url(meeting)), meeting)


def test_ended_meeting_gives_no_ticket(client, meeting):
    named_guest(client, meeting)
    services.meeting_end(meeting=meeting)

    assert_sent_to_the_join_page(client.post(ticket_url(meeting)), meeting)


@pytest.mark.django_db(transaction=True)
async def test_ticket_from_the_endpoint_opens_the_websocket(async_client, connect, meeting):
    await async_client.post(meeting.get_join_url(), {"display_name": "Gus"})
    response = await async_client.post(ticket_url(meeting))

    guest = await connect(meeting, ticket=response.json()["ticket"])

    assert guest.welcome["name"] == "Gus"
    assert guest.welcome["role"] == "guest"
