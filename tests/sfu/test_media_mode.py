"""Mesh or SFU: one rule, and with no Janus configured nothing changes."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services, sfu
from meetings.models import Meeting, SfuRoom, default_max_participants, max_participants_bounds

pytestmark = pytest.mark.django_db

A_JANUS = {
    "name": "j",
    "api_url": "http://127.0.0.1:9/janus",
    "admin_url": "http://127.0.0.1:9/admin",
    "api_secret": "s",
    "admin_secret": "a",
    "admin_key": "k",
}


@pytest.fixture
def meeting(alice):
    return services.meeting_create(host=alice, title="Standup", join_before_host=True)


def test_without_janus_every_meeting_is_a_mesh_whatever_its_size(meeting, settings):
    settings.JANUS_SERVERS = []
    settings.SFU_ALWAYS = True
    meeting.always_sfu = True

    assert sfu.media_mode(meeting, 12) == sfu.MESH


def test_a_meeting_moves_to_the_sfu_when_one_more_than_mesh_max_people_is_in(meeting, settings):
    settings.JANUS_SERVERS = [A_JANUS]
    settings.MESH_MAX_PEOPLE = 4

    assert [sfu.media_mode(meeting, n) for n in (1, 2, 4, 5, 30)] == ["mesh", "mesh", "mesh", "sfu", "sfu"]


def test_always_sfu_per_meeting_or_for_the_site(meeting, settings):
    settings.JANUS_SERVERS = [A_JANUS]
    meeting.always_sfu = True
    assert sfu.media_mode(meeting, 1) == sfu.SFU

    meeting.always_sfu = False
    settings.SFU_ALWAYS = True
    assert sfu.media_mode(meeting, 1) == sfu.SFU


def test_once_on_the_sfu_a_meeting_stays_there_until_it_empties(meeting, settings):
    settings.JANUS_SERVERS = [A_JANUS]
    SfuRoom.objects.create(meeting=meeting, server="j", room_id=7)

    assert sfu.media_mode(meeting, 2) == sfu.SFU


def test_meetings_may_hold_100_people_only_with_janus(alice, settings):
    settings.JANUS_SERVERS = []
    assert max_participants_bounds() == (8, 12)
    with pytest.raises(ValidationError):
        services.meeting_create(host=alice, title="Too big", max_participants=13)

    settings.JANUS_SERVERS = [A_JANUS]
    assert default_max_participants() == 50
    big = services.meeting_create(host=alice, title="All-hands", max_participants=100)
    assert big.max_participants == 100
    assert Meeting(host=alice, title="New").max_participants == 50
    with pytest.raises(ValidationError):
        services.meeting_create(host=alice, title="Too big", max_participants=101)


def test_the_schedule_form_offers_the_media_server_option_only_with_janus(alice_client, settings):
    settings.JANUS_SERVERS = []
    mesh_only = alice_client.get(reverse("meetings:schedule"))
    assert mesh_only.status_code == 200
    assert "always_sfu" not in mesh_only.content.decode()
    assert "2 to 12" in mesh_only.content.decode()

    settings.JANUS_SERVERS = [A_JANUS]
    page = alice_client.get(reverse("meetings:schedule")).content.decode()
    assert 'name="always_sfu"' in page
    assert "2 to 100" in page
