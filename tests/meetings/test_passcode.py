"""Meetings with a passcode: typed, linked with ?pwd=, remembered, and guessing slowed down."""

import pytest
from django.urls import reverse

PASSCODE = "Secret42"


@pytest.fixture
def locked_meeting(meeting_factory):
    return meeting_factory(passcode=PASSCODE, join_before_host=True)


@pytest.fixture
def guest(client_for):
    return client_for(None)


def join(client, meeting, **query):
    return client.get(reverse("meetings:join", args=[meeting.code]), query)


def type_passcode(client, meeting, passcode):
    return client.post(reverse("meetings:join", args=[meeting.code]), {"passcode": passcode})


def test_passcode_is_asked_before_anything_else(guest, locked_meeting):
    response = join(guest, locked_meeting)

    assert response.status_code == 200
    assert response.templates[0].name == "meetings/passcode.html"
    assert PASSCODE not in response.content.decode()


def test_wrong_passcode_is_refused_with_a_clear_error(guest, locked_meeting):
    response = type_passcode(guest, locked_meeting, "wrong")

    assert response.status_code == 400
    assert "That passcode is not right" in response.content.decode()
    assert join(guest, locked_meeting).templates[0].name == "meetings/passcode.html"


def test_right_passcode_lets_the_visitor_through_and_is_remembered(guest, locked_meeting):
    response = type_passcode(guest, locked_meeting, f" {PASSCODE} ")

    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:join", args=[locked_meeting.code])
    assert locked_meeting.code in guest.session["meetings.passcodes_ok"]
    assert join(guest, locked_meeting).templates[0].name == "meetings/guest_name.html"
    guest.post(reverse("meetings:join", args=[locked_meeting.code]), {"display_name": "Dan"})
    assert join(guest, locked_meeting).templates[0].name == "meetings/prejoin.html"


def test_passcode_is_case_sensitive(guest, locked_meeting):
    assert type_passcode(guest, locked_meeting, PASSCODE.lower()).status_code == 400


def test_passcode_in_the_link_lets_the_visitor_through_in_one_click(guest, locked_meeting):
    response = join(guest, locked_meeting, pwd=PASSCODE)

    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:join", args=[locked_meeting.code])
    assert join(guest, locked_meeting).templates[0].name == "meetings/guest_name.html"


def test_wrong_passcode_in_the_link_shows_the_form_with_an_error(guest, locked_meeting):
    response = join(guest, locked_meeting, pwd="wrong")

    assert response.status_code == 400
    assert "That passcode is not right" in response.content.decode()


def test_passcode_proven_for_one_meeting_does_not_open_another(guest, locked_meeting, meeting_factory):
    other = meeting_factory(passcode="Other999", join_before_host=True)
    type_passcode(guest, locked_meeting, PASSCODE)

    assert join(guest, other).templates[0].name == "meetings/passcode.html"


def test_wrong_passcode_is_throttled_after_five_tries(guest, locked_meeting):
    for _ in range(5):
        assert type_passcode(guest, locked_meeting, "wrong").status_code == 400

    response = type_passcode(guest, locked_meeting, PASSCODE)

    assert response.status_code == 429
    assert "Too many wrong passcodes" in response.content.decode()
    assert "meetings.passcodes_ok" not in guest.session


def test_throttled_client_cannot_use_the_link_passcode_either(guest, locked_meeting):
    for _ in range(5):
        type_passcode(guest, locked_meeting, "wrong")

    assert join(guest, locked_meeting, pwd=PASSCODE).status_code == 429


def test_throttle_counts_the_client_not_the_session(client_for, locked_meeting):
    for _ in range(5):
        type_passcode(client_for(None), locked_meeting, "wrong")

    assert type_passcode(client_for(None), locked_meeting, PASSCODE).status_code == 429


def test_throttle_spares_other_clients(guest, client_for, locked_meeting):
    for _ in range(5):
        type_passcode(guest, locked_meeting, "wrong")

    other = client_for(None)
    response = other.post(
        reverse("meetings:join", args=[locked_meeting.code]),
        {"passcode": PASSCODE},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 302


def test_four_wrong_tries_still_leave_the_right_passcode_working(guest, locked_meeting):
    for _ in range(4):
        type_passcode(guest, locked_meeting, "wrong")

    assert type_passcode(guest, locked_meeting, PASSCODE).status_code == 302


def test_host_is_never_asked_for_the_passcode(alice_client, locked_meeting):
    response = join(alice_client, locked_meeting)

    assert response.status_code == 200
    assert response.templates[0].name == "meetings/prejoin.html"


def test_signed_in_member_is_asked_for_the_passcode(client_for, bob, locked_meeting):
    assert join(client_for(bob), locked_meeting).templates[0].name == "meetings/passcode.html"
