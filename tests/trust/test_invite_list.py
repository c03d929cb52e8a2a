import pytest

from meetings.models import Invitation, Participant

from .conftest import connect

pytestmark = pytest.mark.django_db


def test_an_invited_member_skips_the_waiting_room_and_others_knock(meeting, bob, charlie):
    Invitation.objects.create(meeting=meeting, email="bob@example.org")

    assert connect(meeting, "Bob", user=bob).status == Participant.Status.JOINED
    assert connect(meeting, "Charlie", user=charlie).status == Participant.Status.WAITING
    assert connect(meeting, "Guest").status == Participant.Status.WAITING


def test_members_of_an_allowed_domain_skip_the_waiting_room(meeting, user_factory):
    meeting.allowed_domains = "school.edu"
    meeting.save()
    teacher = user_factory("teacher@school.edu")
    outsider = user_factory("teacher@school.edu.evil.com")

    assert connect(meeting, "Teacher", user=teacher).status == Participant.Status.JOINED
    assert connect(meeting, "Outsider", user=outsider).status == Participant.Status.WAITING


def test_without_an_invite_list_and_waiting_room_everyone_walks_in(meeting, charlie):
    assert connect(meeting, "Charlie", user=charlie).status == Participant.Status.JOINED
    assert connect(meeting, "Guest").status == Participant.Status.JOINED


def test_a_guest_can_never_claim_an_invitees_place(meeting):
    Invitation.objects.create(meeting=meeting, email="bob@example.org")
    assert connect(meeting, "bob@example.org").status == Participant.Status.WAITING


def test_a_deactivated_invitee_is_not_invited_any_more(meeting, bob):
    Invitation.objects.create(meeting=meeting, email="bob@example.org")
    bob.is_active = False
    bob.save()
    assert connect(meeting, "Bob", user=bob).status == Participant.Status.WAITING


def test_allowed_domains_are_validated_and_normalised(alice_client, meeting):
    from django.urls import reverse

    from ..meetings.helpers import schedule_data as form_data

    data = form_data(allowed_domains="@School.edu, example.org, school.edu")
    response = alice_client.post(reverse("meetings:schedule"), data)
    assert response.status_code == 302
    created = alice_client.get(response["Location"]).context["meeting"]
    assert created.allowed_domains == "school.edu, example.org"

    bad = alice_client.post(reverse("meetings:schedule"), form_data(allowed_domains="not a domain"))
    assert "Not a domain: not a domain" in bad.content.decode()
