"""Sessions and sockets: logging out, deactivation, one place per browser, a cap per account."""

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client
from django.urls import reverse

from meetings import services
from meetings.entry import MAX_CONNECTIONS_PER_USER
from meetings.models import Meeting, Participant
from meetings.protocol import Close

from .conftest import ORIGIN, browser_client_key

pytestmark = pytest.mark.django_db(transaction=True)


def _browser(user):
    client = Client()
    client.force_login(user)
    cookie = (
        b"cookie",
        f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode(),
    )
    return client, [cookie, ORIGIN]


async def test_logging_out_closes_that_browsers_meeting_sockets(connect, meeting, host, bob):
    browser, headers = await sync_to_async(_browser)(bob)
    in_call = await connect(meeting, headers=headers)
    assert (await host.receive_type("peer-joined"))["peer"]["name"] == "Bob Member"

    await sync_to_async(browser.post)(reverse("account_logout"))

    assert (await in_call.receive_type("signed-out"))["reason"]
    assert await in_call.closed() == Close.LOGGED_OUT
    assert (await host.receive_type("peer-left"))["peer_id"] == in_call.peer_id
    await host.ping()  # the host's own socket is untouched


async def test_logging_out_elsewhere_leaves_this_browser_in_the_call(connect, meeting, host, bob):
    _, headers = await sync_to_async(_browser)(bob)
    in_call = await connect(meeting, headers=headers)
    other_browser, _ = await sync_to_async(_browser)(bob)

    await sync_to_async(other_browser.post)(reverse("account_logout"))

    await in_call.ping()  # still answered: the socket is open


async def test_a_deactivated_account_is_disconnected(join, meeting, host, bob):
    in_call = await join(meeting, "Bob", user=bob)

    bob.is_active = False
    await sync_to_async(bob.save)()

    assert (await in_call.receive_type("signed-out"))["type"] == "signed-out"
    assert await in_call.closed() == Close.LOGGED_OUT
    assert await Participant.objects.filter(user=bob, status="joined").acount() == 0


async def test_joining_again_from_the_same_browser_retires_the_old_place(join, meeting, host):
    first = await join(meeting, "Gus", client_key="browser-1")
    await host.receive_type("peer-joined")

    second = await join(meeting, "Gus", client_key="browser-1")

    assert (await first.receive_type("replaced"))["type"] == "replaced"
    assert await first.closed() == Close.REPLACED
    assert (await host.receive_type("peer-left")) == {
        "type": "peer-left",
        "peer_id": first.peer_id,
        "reason": "replaced",
    }
    assert (await host.receive_type("peer-joined"))["peer"]["peer_id"] == second.peer_id
    assert (
        await Participant.objects.filter(client_key=browser_client_key("browser-1"), status="joined").acount()
        == 1
    )


async def test_the_only_person_reloading_keeps_the_meeting_live_for_the_others(join, alice):
    meeting = await sync_to_async(services.meeting_create)(
        host=alice, title="Review"
    )  # guests wait for the host
    first = await join(meeting, "Alice", user=alice, client_key="alice-laptop")

    await join(meeting, "Alice", user=alice, client_key="alice-laptop")  # her page reloads

    assert (await first.receive_type("replaced"))["type"] == "replaced"
    assert await first.closed() == Close.REPLACED
    await meeting.arefresh_from_db()
    assert meeting.state == Meeting.State.LIVE
    guest = await join(meeting, "Gus")  # not "the host has not started this meeting yet"
    assert guest.peer_id


async def test_one_account_may_join_from_a_few_browsers_but_not_more(join, meeting, host, bob):
    for n in range(MAX_CONNECTIONS_PER_USER):
        await join(meeting, "Bob", user=bob, client_key=f"bob-device-{n}")

    refused = await join(meeting, "Bob", user=bob, client_key="bob-device-extra", expect="refused")

    assert await refused.refusal_code() == Close.TOO_MANY_CONNECTIONS
    assert await Participant.objects.filter(user=bob, status="joined").acount() == MAX_CONNECTIONS_PER_USER


async def test_admitted_into_a_full_room_the_knocker_is_refused_and_leaves_the_waiting_list(
    join, meeting, alice
):
    meeting.waiting_room = True
    meeting.max_participants = 2
    await sync_to_async(meeting.save)()
    host = await join(meeting, "Alice", user=alice)
    knocker = await join(meeting, "Kim", expect="waiting")
    await host.receive_type("knock")
    await join(meeting, "Fay", user=None, client_key="fay", expect="waiting")
    await host.receive_type("knock")
    await sync_to_async(Participant.objects.filter(display_name="Fay").update)(
        status="joined"
    )  # fills the room

    await host.send({"type": "admit", "peer": knocker.peer_id})

    assert (await knocker.receive_type("refused"))["code"] == Close.ROOM_FULL
    assert await knocker.closed() == Close.ROOM_FULL
    assert (await host.receive_type("waiting-left"))["peer_id"] == knocker.peer_id
    assert (await Participant.objects.aget(peer_id=knocker.peer_id)).status == "left"
