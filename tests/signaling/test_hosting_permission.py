"""HOSTING_REQUIRES_PERMISSION reaches the call: a host who may no longer host has no host powers."""

import pytest

from .conftest import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_host_without_the_permission_enters_their_meeting_as_a_guest(settings, join, meeting, alice):
    settings.HOSTING_REQUIRES_PERMISSION = True

    person = await join(meeting, "Alice", user=alice)

    assert person.welcome["role"] == "guest"


async def test_a_host_without_the_permission_on_their_session_is_no_host_either(
    settings, connect, meeting, alice
):
    settings.HOSTING_REQUIRES_PERMISSION = True

    person = await connect(meeting, headers=await signed_in(alice))

    assert person.welcome["role"] == "guest"


async def test_with_the_permission_the_host_is_host(settings, join, meeting, alice, staff):
    settings.HOSTING_REQUIRES_PERMISSION = True
    meeting.host = staff  # staff may always host
    await meeting.asave()

    person = await join(meeting, "Staff", user=staff)

    assert person.welcome["role"] == "host"
