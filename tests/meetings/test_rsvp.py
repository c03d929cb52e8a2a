"""RSVP from the invitation mail: signed one-click links, a confirmation page, answers per occurrence."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Invitation, Rsvp, occurrence_key

from .helpers import berlin, berlin_weekly, dst_series_days

JOIN = "http://testserver/m/x/"


@pytest.fixture
def days():
    return dst_series_days(timezone.now().year + 1)


@pytest.fixture
def series(alice, days):
    return berlin_weekly(alice, days)


def invite(meeting, address, capture):
    with capture(execute=True):
        services.meeting_invite(meeting=meeting, emails_to_invite=[address], join_url=JOIN)
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message


def links_in(body):
    """{"yes": path, ...} from a mail's answer lines."""
    return {
        answer.lower(): re.sub(r"^https?://[^/]+", "", url)
        for answer, url in re.findall(r"^\s+(Yes|Maybe|No):\s+(\S+)$", body, re.MULTILINE)
    }


def test_invitation_has_yes_maybe_no_links_that_answer_in_one_click(
    client, series, django_capture_on_commit_callbacks
):
    links = links_in(invite(series, "bob@example.org", django_capture_on_commit_callbacks).body)

    assert set(links) == {"yes", "maybe", "no"}
    response = client.get(links["maybe"])

    assert response.status_code == 200
    assert "your answer is “Maybe”" in response.content.decode()
    (rsvp,) = Rsvp.objects.all()
    assert (rsvp.email, rsvp.answer, rsvp.recurrence_id) == ("bob@example.org", "maybe", None)


def test_confirmation_page_lets_the_invitee_change_the_answer(
    client, series, django_capture_on_commit_callbacks
):
    links = links_in(invite(series, "bob@example.org", django_capture_on_commit_callbacks).body)
    page = client.get(links["yes"]).content.decode()

    assert f'action="{links["no"]}"' in page
    client.post(links["no"])

    assert Rsvp.objects.get().answer == "no"


def test_tampered_answer_link_gives_a_clear_error_page_and_changes_nothing(
    client, series, django_capture_on_commit_callbacks
):
    link = links_in(invite(series, "bob@example.org", django_capture_on_commit_callbacks).body)["yes"]
    token = link.split("/")[2]
    tampered = link.replace(token, token[:-3] + ("abc" if not token.endswith("abc") else "xyz"))
    forged_answer = link.replace("/yes/", "/certainly/")

    for url in [tampered, forged_answer, reverse("meetings:rsvp", args=["not-a-token", "yes"])]:
        response = client.get(url)
        assert response.status_code == 400
        assert "This answer link is not valid" in response.content.decode()
    assert not Rsvp.objects.exists()


def test_a_link_for_another_address_cannot_be_made_from_ones_own(
    client, series, django_capture_on_commit_callbacks
):
    link = links_in(invite(series, "bob@example.org", django_capture_on_commit_callbacks).body)["no"]
    token = link.split("/")[2]
    payload, _, signature = token.rpartition(":")
    forged = payload[:5] + ("A" if payload[5] != "A" else "B") + payload[6:]
    other = client.get(link.replace(token, forged + ":" + signature))

    assert other.status_code == 400
    assert not Rsvp.objects.exists()


def test_a_withdrawn_invitation_no_longer_answers(client, series, django_capture_on_commit_callbacks):
    link = links_in(invite(series, "bob@example.org", django_capture_on_commit_callbacks).body)["yes"]
    Invitation.objects.filter(email="bob@example.org").delete()

    assert client.get(link).status_code == 400


def test_host_sees_answers_per_occurrence(
    alice_client, client, series, days, django_capture_on_commit_callbacks
):
    series_links = links_in(invite(series, "bob@example.org", django_capture_on_commit_callbacks).body)
    invite(series, "otto@example.org", django_capture_on_commit_callbacks)
    client.get(series_links["yes"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.occurrence_move(
            meeting=series,
            recurrence_id=berlin(days[2], 10),
            starts_at=berlin(days[2], 16),
            duration=timedelta(hours=1),
            join_url=JOIN,
        )
    moved_links = links_in(next(m for m in mail.outbox if m.to == ["bob@example.org"]).body)
    client.get(moved_links["no"])  # bob cannot come to the moved one

    answers = services.rsvp_answers(series, series.occurrence_list(after=berlin(days[0], 0), limit=5))
    page = alice_client.get(
        reverse("meetings:occurrence", args=[series.code, occurrence_key(berlin(days[2], 10))])
    )

    assert answers[berlin(days[0], 10)] == {"bob@example.org": "yes"}
    assert answers[berlin(days[2], 10)] == {"bob@example.org": "no"}
    assert page.context["answers"] == [("bob@example.org", "no"), ("otto@example.org", None)]
    detail = alice_client.get(reverse("meetings:detail", args=[series.code])).content.decode()
    assert "1 yes · 0 maybe · 0 no · 1 no answer" in detail
    assert "0 yes · 0 maybe · 1 no · 1 no answer" in detail


def test_answering_the_series_again_replaces_single_occurrence_answers(series, days):
    services.rsvp_answer(
        meeting=series, email="bob@example.org", recurrence_id=berlin(days[1], 10), answer="no"
    )

    services.rsvp_answer(meeting=series, email="bob@example.org", recurrence_id=None, answer="yes")

    assert not services.rsvp_declined(series, "bob@example.org", berlin(days[1], 10))


def test_host_sees_answers_for_a_one_off_meeting_that_started_at_an_odd_instant(alice_client, alice):
    meeting = services.meeting_create_instant(host=alice)  # starts now, microseconds and all
    services.rsvp_answer(meeting=meeting, email="bob@example.org", recurrence_id=None, answer="maybe")
    meeting.invitations.create(email="bob@example.org")

    page = alice_client.get(
        reverse("meetings:occurrence", args=[meeting.code, occurrence_key(meeting.starts_at)])
    )

    assert page.status_code == 200
    assert page.context["answers"] == [("bob@example.org", "maybe")]


def test_a_browser_prefetching_the_link_records_nothing(client, series, django_capture_on_commit_callbacks):
    link = links_in(invite(series, "bob@example.org", django_capture_on_commit_callbacks).body)["no"]

    client.get(link, HTTP_SEC_PURPOSE="prefetch")

    assert not Rsvp.objects.exists()
