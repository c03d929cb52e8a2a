"""/m/<id>/: every gate between a join link and the call."""

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Meeting


def join_url(meeting_or_code):
    code = getattr(meeting_or_code, "code", meeting_or_code)
    return reverse("meetings:join", args=[code])


@pytest.fixture
def guest(client_for):
    """A visitor without an account."""
    return client_for(None)


def enter_name(client, meeting, name):
    return client.post(join_url(meeting), {"display_name": name})


def test_unknown_meeting_id_shows_a_friendly_404_with_a_join_box(guest, db):
    response = guest.get(join_url("nope-nope-nope"))

    assert response.status_code == 404
    content = response.content.decode()
    assert "We couldn’t find that meeting" in content
    assert "<code>nope-nope-nope</code>" in content
    assert f'action="{reverse("meetings:join_by_code")}"' in content
    assert 'value="nope-nope-nope"' in content


def test_meeting_id_is_case_insensitive_in_the_link(guest, meeting_factory):
    meeting = meeting_factory(code="csc342", join_before_host=True)
    enter_name(guest, meeting, "Dan")

    response = guest.get(join_url("CSC342"))

    assert response.status_code == 200
    assert response.templates[0].name == "meetings/prejoin.html"


def test_cancelled_meeting_shows_the_cancelled_page(guest, scheduled_meeting, alice_client):
    alice_client.post(reverse("meetings:cancel", args=[scheduled_meeting.code]))

    response = guest.get(join_url(scheduled_meeting))

    assert response.status_code == 410
    assert "This meeting was cancelled" in response.content.decode()
    assert "Alice Host cancelled" in response.content.decode()


def test_ended_meeting_shows_the_ended_page(guest, scheduled_meeting):
    Meeting.objects.filter(pk=scheduled_meeting.pk).update(state=Meeting.State.ENDED)

    response = guest.get(join_url(scheduled_meeting))

    assert response.status_code == 410
    assert "This meeting has ended" in response.content.decode()


def test_cancelled_meeting_is_closed_to_its_host_too(alice_client, scheduled_meeting):
    alice_client.post(reverse("meetings:cancel", args=[scheduled_meeting.code]))

    assert alice_client.get(join_url(scheduled_meeting)).status_code == 410


def test_guest_is_asked_for_their_name(guest, scheduled_meeting):
    response = guest.get(join_url(scheduled_meeting))

    assert response.status_code == 200
    assert response.templates[0].name == "meetings/guest_name.html"
    assert "Your name" in response.content.decode()


def test_guest_name_is_kept_in_the_session_and_shown_on_the_prejoin_page(guest, meeting_factory):
    meeting = meeting_factory(join_before_host=True)

    response = enter_name(guest, meeting, "  Dan   the  Guest ")

    assert response.status_code == 302
    assert response["Location"] == join_url(meeting)
    assert guest.session["meetings.guest_name"] == "Dan the Guest"
    page = guest.get(join_url(meeting))
    assert page.templates[0].name == "meetings/prejoin.html"
    assert 'value="Dan the Guest"' in page.content.decode()


def test_guest_name_is_remembered_for_the_next_meeting(guest, meeting_factory):
    first, second = meeting_factory(join_before_host=True), meeting_factory(join_before_host=True)
    enter_name(guest, first, "Dan")

    response = guest.get(join_url(second))

    assert response.templates[0].name == "meetings/prejoin.html"


def test_blank_guest_name_is_refused(guest, scheduled_meeting):
    response = enter_name(guest, scheduled_meeting, "   ")

    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    assert "meetings.guest_name" not in guest.session


def test_html_in_a_guest_name_is_escaped(guest, meeting_factory):
    meeting = meeting_factory(join_before_host=True)
    enter_name(guest, meeting, "<script>alert(1)</script>")

    content = guest.get(join_url(meeting)).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_guest_can_change_their_name(guest, meeting_factory):
    meeting = meeting_factory(join_before_host=True)
    enter_name(guest, meeting, "Dan")

    response = guest.get(join_url(meeting) + "?change_name=1")

    assert response.templates[0].name == "meetings/guest_name.html"
    assert response.context["form"]["display_name"].value() == "Dan"


def test_guests_not_allowed_are_sent_to_login_and_back(guest, meeting_factory):
    meeting = meeting_factory(allow_guests=False)

    response = guest.get(join_url(meeting))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={join_url(meeting)}"


def test_members_only_meeting_lets_a_signed_in_member_in(client_for, bob, meeting_factory):
    meeting = meeting_factory(allow_guests=False, join_before_host=True)

    response = client_for(bob).get(join_url(meeting))

    assert response.status_code == 200
    assert 'value="Bob Member"' in response.content.decode()


def test_signed_in_member_is_not_asked_for_a_name(client_for, bob, meeting_factory):
    meeting = meeting_factory(join_before_host=True)

    response = client_for(bob).get(join_url(meeting))

    assert response.templates[0].name == "meetings/prejoin.html"
    assert response.context["display_name"] == "Bob Member"
    assert "Change name" not in response.content.decode()


def test_guest_waits_for_the_host_before_the_meeting_starts(guest, scheduled_meeting):
    enter_name(guest, scheduled_meeting, "Dan")

    response = guest.get(join_url(scheduled_meeting))

    assert response.status_code == 200
    assert response.templates[0].name == "meetings/waiting_for_host.html"
    content = response.content.decode()
    assert "Waiting for the host" in content
    assert reverse("meetings:join_status", args=[scheduled_meeting.code]) in content
    assert "You will join as <strong>Dan</strong>" in content


def test_member_waits_for_the_host_too(client_for, bob, scheduled_meeting):
    response = client_for(bob).get(join_url(scheduled_meeting))

    assert response.templates[0].name == "meetings/waiting_for_host.html"


def test_waiting_guest_gets_in_once_the_host_starts(guest, scheduled_meeting, alice_client):
    enter_name(guest, scheduled_meeting, "Dan")
    status_url = reverse("meetings:join_status", args=[scheduled_meeting.code])
    assert guest.get(status_url).json() == {"state": "scheduled", "can_enter": False, "opens_in_ms": 0}

    services.meeting_start(meeting=scheduled_meeting)  # what the host's joining the call does

    assert guest.get(status_url).json() == {"state": "live", "can_enter": True, "opens_in_ms": 0}
    page = guest.get(join_url(scheduled_meeting))
    assert page.templates[0].name == "meetings/prejoin.html"


def test_join_before_host_lets_guests_straight_in(guest, meeting_factory):
    meeting = meeting_factory(join_before_host=True)
    enter_name(guest, meeting, "Dan")

    assert guest.get(reverse("meetings:join_status", args=[meeting.code])).json()["can_enter"] is True
    assert guest.get(join_url(meeting)).templates[0].name == "meetings/prejoin.html"


def test_status_of_a_cancelled_meeting_says_nobody_can_enter(guest, meeting_factory):
    meeting = meeting_factory(join_before_host=True, state=Meeting.State.CANCELLED)

    assert guest.get(reverse("meetings:join_status", args=[meeting.code])).json() == {
        "state": "cancelled",
        "can_enter": False,
        "opens_in_ms": 0,
    }


def test_status_of_an_unknown_meeting_is_404(guest, db):
    assert guest.get(reverse("meetings:join_status", args=["nope-nope"])).status_code == 404


def test_host_goes_straight_to_the_prejoin_page_with_a_join_button(alice_client, scheduled_meeting):
    response = alice_client.get(join_url(scheduled_meeting))

    assert response.templates[0].name == "meetings/prejoin.html"
    assert response.context["is_host"]
    content = response.content.decode()
    assert 'value="Alice Host"' in content
    assert ">Join</button>" in content
    assert reverse("meetings:join_ticket", args=[scheduled_meeting.code]) in content


def test_new_meeting_creates_an_instant_meeting_and_opens_it(alice_client, alice):
    response = alice_client.post(reverse("meetings:new"))

    meeting = Meeting.objects.get(is_personal_room=False)
    assert response.status_code == 302
    assert response["Location"] == join_url(meeting)
    assert meeting.host == alice
    assert meeting.title == "Alice Host’s meeting"
    assert meeting.starts_at is not None
    page = alice_client.get(response["Location"])
    assert page.templates[0].name == "meetings/prejoin.html"
    assert page.context["is_host"]


def test_new_meeting_needs_a_post(alice_client):
    assert alice_client.get(reverse("meetings:new")).status_code == 405
    assert not Meeting.objects.filter(is_personal_room=False).exists()


def test_new_meeting_needs_an_account(guest, db):
    response = guest.post(reverse("meetings:new"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "typed",
    [
        "{code}",
        "  {CODE} ",
        "http://testserver/m/{code}/",
        "https://meet.example.org/m/{code}/?pwd=Secret42",
    ],
)
def test_join_box_takes_an_id_or_a_pasted_link_to_the_meeting(guest, scheduled_meeting, typed):
    response = guest.get(
        reverse("meetings:join_by_code"),
        {"code": typed.format(code=scheduled_meeting.code, CODE=scheduled_meeting.code.upper())},
    )

    assert response.status_code == 302
    assert response["Location"] == join_url(scheduled_meeting)


def test_join_box_with_an_unknown_id_leads_to_the_not_found_page(guest, db):
    response = guest.get(reverse("meetings:join_by_code"), {"code": "abc-defg-hij"}, follow=True)

    assert response.status_code == 404
    assert "We couldn’t find that meeting" in response.content.decode()


@pytest.mark.parametrize("typed", ["https://zoom.us/j/123456", "abc/def", "a b c"])
def test_join_box_with_something_that_is_no_meeting_id_says_so(guest, db, typed):
    response = guest.get(reverse("meetings:join_by_code"), {"code": typed})

    assert response.status_code == 400
    assert response.templates[0].name == "meetings/not_found.html"
    assert response.context["join_form"].errors["code"]


def test_empty_join_box_is_refused(guest, db):
    assert guest.get(reverse("meetings:join_by_code"), {"code": ""}).status_code == 400


def test_landing_page_for_visitors_has_a_join_box(guest, db):
    response = guest.get(reverse("home"))

    assert response.templates[0].name == "meetings/landing.html"
    assert f'action="{reverse("meetings:join_by_code")}"' in response.content.decode()
