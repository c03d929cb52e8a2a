"""Invitations by email: the link and the calendar file, then updates and cancellations."""

import email

import pytest
from django.core import mail
from django.urls import reverse

from meetings.models import Invitation

from .helpers import schedule_data, the_event


@pytest.fixture
def invite(alice_client, django_capture_on_commit_callbacks):
    """Invite addresses as alice, running the on-commit mail sending."""

    def send(meeting, addresses):
        with django_capture_on_commit_callbacks(execute=True):
            return alice_client.post(reverse("meetings:invite", args=[meeting.code]), {"emails": addresses})

    return send


def calendar_attachment(message):
    """The invite.ics part of a sent mail, as the receiving mail client sees it."""
    parsed = email.message_from_bytes(message.message().as_bytes())
    parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def test_each_invited_address_gets_its_own_mail_with_link_and_calendar(invite, scheduled_meeting):
    response = invite(scheduled_meeting, "dan@example.org, Erin@Example.org\nfrank@example.org")

    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [
        "dan@example.org",
        "erin@example.org",
        "frank@example.org",
    ]
    assert all(len(m.to) == 1 for m in mail.outbox)
    message = mail.outbox[0]
    assert message.subject == "[Huddle] Invitation: Team sync"
    assert f"http://testserver/m/{scheduled_meeting.code}/" in message.body
    assert message.reply_to == ["alice@example.org"]
    (attachment,) = message.attachments
    assert attachment[0] == "invite.ics"
    assert attachment[2].startswith("text/calendar")


def test_invitation_calendar_is_a_request_for_this_meeting(invite, scheduled_meeting):
    invite(scheduled_meeting, "dan@example.org")

    part = calendar_attachment(mail.outbox[0])
    assert part.get_param("method") == "REQUEST"
    calendar, event = the_event(part.get_payload(decode=True))
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]).startswith(str(scheduled_meeting.ical_uid))
    assert str(event["ATTENDEE"]) == "mailto:dan@example.org"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_invitees_are_recorded_once_in_lower_case(invite, scheduled_meeting):
    invite(scheduled_meeting, "dan@example.org DAN@example.org")
    invite(scheduled_meeting, "dan@example.org")

    assert list(scheduled_meeting.invitations.values_list("email", flat=True)) == ["dan@example.org"]


def test_invalid_addresses_are_refused_and_nobody_is_mailed(invite, scheduled_meeting, alice_client):
    response = invite(scheduled_meeting, "dan@example.org, not-an-address")

    assert response.status_code == 302
    assert mail.outbox == []
    assert not Invitation.objects.exists()
    page = alice_client.get(response["Location"]).content.decode()
    assert "Not an email address: not-an-address" in page


def test_more_than_fifty_addresses_at_once_are_refused(invite, scheduled_meeting):
    invite(scheduled_meeting, " ".join(f"person{n}@example.org" for n in range(51)))

    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_no_mail_leaves_before_the_invitation_is_committed(
    alice_client, scheduled_meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        alice_client.post(
            reverse("meetings:invite", args=[scheduled_meeting.code]), {"emails": "dan@example.org"}
        )

    assert mail.outbox == []
    assert len(callbacks) == 1


def test_editing_sends_an_update_with_a_higher_sequence(
    invite, scheduled_meeting, alice_client, django_capture_on_commit_callbacks
):
    invite(scheduled_meeting, "dan@example.org, erin@example.org")
    _, first = the_event(calendar_attachment(mail.outbox[0]).get_payload(decode=True))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(
            reverse("meetings:edit", args=[scheduled_meeting.code]), schedule_data(title="Moved sync")
        )

    assert sorted(m.to[0] for m in mail.outbox) == ["dan@example.org", "erin@example.org"]
    assert mail.outbox[0].subject == "[Huddle] Updated: Moved sync"
    part = calendar_attachment(mail.outbox[0])
    assert part.get_param("method") == "REQUEST"
    _, updated = the_event(part.get_payload(decode=True))
    assert updated["UID"] == first["UID"]
    assert updated["SEQUENCE"] > first["SEQUENCE"]
    assert str(updated["SUMMARY"]) == "Moved sync"


def test_editing_a_meeting_nobody_was_invited_to_sends_nothing(
    alice_client, scheduled_meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(
            reverse("meetings:edit", args=[scheduled_meeting.code]), schedule_data(title="Moved")
        )

    assert mail.outbox == []


def test_cancelling_sends_a_cancel_to_invitees_and_closes_the_join_page(
    invite, scheduled_meeting, alice_client, client_for, django_capture_on_commit_callbacks
):
    invite(scheduled_meeting, "dan@example.org")
    _, invited = the_event(calendar_attachment(mail.outbox[0]).get_payload(decode=True))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("meetings:cancel", args=[scheduled_meeting.code]))

    (message,) = mail.outbox
    assert message.to == ["dan@example.org"]
    assert message.subject == "[Huddle] Cancelled: Team sync"
    part = calendar_attachment(message)
    assert part.get_param("method") == "CANCEL"
    calendar, cancelled = the_event(part.get_payload(decode=True))
    assert calendar["METHOD"] == "CANCEL"
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled["UID"] == invited["UID"]
    assert cancelled["SEQUENCE"] > invited["SEQUENCE"]

    response = client_for(None).get(reverse("meetings:join", args=[scheduled_meeting.code]))
    assert response.status_code == 410
    assert "This meeting was cancelled" in response.content.decode()


def test_nobody_can_be_invited_to_a_cancelled_meeting(invite, scheduled_meeting, alice_client):
    alice_client.post(reverse("meetings:cancel", args=[scheduled_meeting.code]))

    invite(scheduled_meeting, "dan@example.org")

    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_calendar_part_names_its_charset_once(invite, scheduled_meeting):
    invite(scheduled_meeting, "dan@example.org")

    part = calendar_attachment(mail.outbox[0])
    assert part.get_content_charset() == "utf-8"
    assert part["Content-Type"].lower().count("charset") == 1
