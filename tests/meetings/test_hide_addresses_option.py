"""The host's option "Hide participants' network addresses from each other": offered only with a relay."""

import pytest
from django.urls import reverse

from meetings.models import Meeting

from .helpers import schedule_data

LABEL = "Hide participants&#x27; network addresses from each other"


@pytest.fixture
def with_turn(settings):
    settings.TURN_URLS = ["turn:turn.example.org:3478"]
    settings.TURN_SECRET = "s3cret"
    return settings


def test_without_a_relay_the_option_is_not_offered(alice_client):
    page = alice_client.get(reverse("meetings:schedule")).content.decode()

    assert LABEL not in page


def test_with_a_relay_the_host_can_hide_addresses(with_turn, alice_client):
    assert LABEL in alice_client.get(reverse("meetings:schedule")).content.decode()

    alice_client.post(reverse("meetings:schedule"), schedule_data(hide_network_addresses="on"))

    meeting = Meeting.objects.get()
    assert meeting.hide_network_addresses
    assert meeting.hides_network_addresses


def test_meetings_do_not_hide_addresses_unless_asked(with_turn, alice_client):
    alice_client.post(reverse("meetings:schedule"), schedule_data())

    assert not Meeting.objects.get().hides_network_addresses


def test_the_site_setting_hides_them_everywhere_and_the_option_goes(with_turn, alice_client):
    with_turn.HIDE_NETWORK_ADDRESSES = True

    page = alice_client.get(reverse("meetings:schedule")).content.decode()
    alice_client.post(reverse("meetings:schedule"), schedule_data())

    assert LABEL not in page
    assert Meeting.objects.get().hides_network_addresses


def test_a_meeting_that_asked_stops_hiding_when_the_relay_is_removed(settings, alice_client, with_turn):
    alice_client.post(reverse("meetings:schedule"), schedule_data(hide_network_addresses="on"))
    settings.TURN_URLS = []

    # Relay-only without a relay would mean no call at all.
    assert not Meeting.objects.get().hides_network_addresses


def test_a_personal_room_offers_the_option_only_with_a_relay(settings, alice):
    from meetings.forms import MeetingForm
    from meetings.services import personal_room_get_or_create

    room = personal_room_get_or_create(user=alice)
    assert "hide_network_addresses" not in MeetingForm(instance=room, host=alice).fields

    settings.TURN_URLS = ["turn:turn.example.org:3478"]
    settings.TURN_SECRET = "s3cret"

    assert "hide_network_addresses" in MeetingForm(instance=room, host=alice).fields
