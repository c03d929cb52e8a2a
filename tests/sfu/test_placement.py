"""Which Janus a meeting goes to: the least loaded that answers, the same one for as long as it lasts."""

import pytest

from meetings import janus, services, sfu
from meetings.models import SfuRoom

from .conftest import join

pytestmark = pytest.mark.django_db(transaction=True)


def a_meeting(host, title):
    return services.meeting_create(host=host, title=title, join_before_host=True)


def busy(server_setting, rooms):
    """Make a server look busy: rooms of someone else's on it."""
    server = janus.janus_servers_parse([server_setting])[0]
    for room_id in rooms:
        janus.sfu_room_create(server=server, room_id=room_id, secret="theirs", publishers=4)


def test_a_meeting_goes_to_the_least_loaded_server(two_janus, alice):
    busy({**two_janus[0].setting(), "name": "a"}, [101, 102])
    meeting = a_meeting(alice, "Class")

    placed = sfu.sfu_meeting_place(meeting=meeting)

    assert placed.server == "b"
    assert janus.sfu_room_exists(server=janus.janus_server_named("b"), room_id=placed.room_id)
    assert not janus.sfu_room_exists(server=janus.janus_server_named("a"), room_id=placed.room_id)


def test_a_placement_is_sticky_even_when_the_other_server_becomes_emptier(two_janus, alice):
    meeting = a_meeting(alice, "All-hands")
    first = sfu.sfu_meeting_place(meeting=meeting)
    busy({**two_janus[0 if first.server == "a" else 1].setting(), "name": first.server}, [201, 202, 203])

    again = sfu.sfu_meeting_place(meeting=meeting)

    assert (again.pk, again.server, again.room_id) == (first.pk, first.server, first.room_id)
    assert SfuRoom.objects.filter(meeting=meeting).count() == 1  # the row every daphne process reads


def test_a_server_that_does_not_answer_is_skipped(two_janus, alice):
    busy({**two_janus[0].setting(), "name": "a"}, [301, 302])
    two_janus[1].kill()  # b, the emptier one, is dead

    placed = sfu.sfu_meeting_place(meeting=a_meeting(alice, "Club"))

    assert placed.server == "a"


def test_with_every_server_down_placement_fails_and_stores_nothing(two_janus, alice):
    for server in two_janus:
        server.kill()
    meeting = a_meeting(alice, "Nobody home")

    with pytest.raises(janus.JanusError):
        sfu.sfu_meeting_place(meeting=meeting)

    assert not SfuRoom.objects.filter(meeting=meeting).exists()


def test_with_equal_participants_the_server_with_fewer_rooms_is_chosen(two_janus, alice, bob):
    first = a_meeting(alice, "One")
    host = join(first, "Alice", user=alice)
    grant = sfu.sfu_grant_issue(participant_id=host.pk)
    server = janus.janus_server_named(SfuRoom.objects.get(meeting=first).server)

    assert janus.sfu_server_load(server) == (0, 1)  # a grant is not a participant until it joins
    second = sfu.sfu_meeting_place(meeting=a_meeting(bob, "Two"))

    assert second.server != server.name  # equal participants: the one with fewer rooms
    assert grant["room"] != second.room_id
