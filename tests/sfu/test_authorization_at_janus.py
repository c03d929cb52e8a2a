"""Janus itself enforces what our admission grants: tried with a hand-written client, as a browser would."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from meetings import janus, room, services, sfu
from meetings.models import Meeting, Participant, SfuGrant, SfuRoom

from .conftest import BrowserJanus, join

pytestmark = pytest.mark.django_db(transaction=True)


def publish_join(grant, *, token=None, feed_id=None):
    return {
        "request": "join",
        "ptype": "publisher",
        "room": grant["room"],
        "id": feed_id or grant["feed_id"],
        "display": "someone",
        **({"token": token} if token else {}),
    }


async def test_a_browser_without_a_token_cannot_even_open_a_session(one_janus, live_meeting, alice):
    await sync_to_async(join)(live_meeting, "Alice", user=alice)

    async with BrowserJanus(one_janus.ws_url) as browser:
        refused = await browser.session()

    assert refused["code"] == 403  # Janus core: token_auth, no token


async def test_an_admitted_participant_publishes_with_the_granted_token(one_janus, live_meeting, alice):
    host = await sync_to_async(join)(live_meeting, "Alice", user=alice)
    grant = await sync_to_async(sfu.sfu_grant_issue)(participant_id=host.pk)

    async with BrowserJanus(grant["server"]) as browser:
        ids = await browser.session(grant["token"])
        joined = await browser.videoroom(ids, publish_join(grant, token=grant["token"]), token=grant["token"])

    assert joined["videoroom"] == "joined"
    assert joined["id"] == grant["feed_id"]
    assert "private_id" in joined
    assert grant["server"] == one_janus.ws_url
    assert "Alice" not in grant["token"] and "alice" not in grant["token"]


async def test_a_valid_token_of_another_meeting_does_not_open_this_room(
    one_janus, live_meeting, alice, charlie
):
    await sync_to_async(join)(live_meeting, "Alice", user=alice)
    other = await sync_to_async(services.meeting_create)(
        host=charlie, title="Elsewhere", join_before_host=True
    )
    outsider = await sync_to_async(join)(other, "Charlie", user=charlie)
    host = await Participant.objects.aget(meeting=live_meeting)
    ours = await sync_to_async(sfu.sfu_grant_issue)(participant_id=host.pk)
    theirs = await sync_to_async(sfu.sfu_grant_issue)(participant_id=outsider.pk)

    async with BrowserJanus(one_janus.ws_url) as browser:
        ids = await browser.session(theirs["token"])
        refused = await browser.videoroom(
            ids, publish_join(ours, token=theirs["token"]), token=theirs["token"]
        )
        no_token = await browser.videoroom(ids, publish_join(ours), token=theirs["token"])

    assert refused["error_code"] == janus.UNAUTHORIZED  # not in this room's allowed list
    assert no_token["error_code"] == janus.UNAUTHORIZED


async def test_the_room_is_hidden_from_browsers_and_ties_subscriptions_to_publishers(
    one_janus, live_meeting, alice
):
    host = await sync_to_async(join)(live_meeting, "Alice", user=alice)
    grant = await sync_to_async(sfu.sfu_grant_issue)(participant_id=host.pk)

    async with BrowserJanus(one_janus.ws_url) as browser:
        ids = await browser.session(grant["token"])
        listed = await browser.videoroom(ids, {"request": "list"}, token=grant["token"])
    as_site = await sync_to_async(_rooms_as_the_site_sees_them)()

    assert grant["room"] not in [r["room"] for r in listed["list"]]  # private: no browser lists it
    ours = as_site[grant["room"]]
    # Subscribing needs the private_id Janus gave a publisher who joined with an allowed token (the
    # media path itself is proven in the browser slice: Janus checks the feed first, and only a
    # real PeerConnection makes one).
    assert ours["require_pvtid"] is True
    assert ours["pin_required"] is False  # see docs/deploy-janus.md: a pin would have to reach browsers


async def test_someone_in_the_waiting_room_gets_no_token(one_janus, alice):
    meeting = await sync_to_async(services.meeting_create)(
        host=alice, title="Class", join_before_host=True, waiting_room=True
    )
    await sync_to_async(join)(meeting, "Alice", user=alice)
    knocking = await sync_to_async(join)(meeting, "Guest")
    assert knocking.status == Participant.Status.WAITING

    with pytest.raises(PermissionError):
        await sync_to_async(sfu.sfu_grant_issue)(participant_id=knocking.pk)

    assert not await SfuGrant.objects.filter(participant=knocking).aexists()
    assert not await SfuRoom.objects.filter(meeting=meeting).aexists()  # nothing was placed for them


async def test_a_removed_participant_is_kicked_and_their_token_refused_on_replay(
    one_janus, live_meeting, alice
):
    host = await sync_to_async(join)(live_meeting, "Alice", user=alice)
    guest = await sync_to_async(join)(live_meeting, "Guest")
    grant = await sync_to_async(sfu.sfu_grant_issue)(participant_id=guest.pk)

    async with BrowserJanus(one_janus.ws_url) as browser:
        ids = await browser.session(grant["token"])
        await browser.videoroom(ids, publish_join(grant, token=grant["token"]), token=grant["token"])
        in_room = await sync_to_async(_feeds)(grant["room"])
        assert grant["feed_id"] in in_room

        await sync_to_async(room.participant_remove)(participant_id=host.pk, peer_id=guest.peer_id)

        assert grant["feed_id"] not in await sync_to_async(_feeds)(grant["room"])
        replay = await browser.session(grant["token"])
        assert replay["code"] == 403  # the core refuses the token for any new session
        again = await browser.videoroom(ids, publish_join(grant, token=grant["token"]), token=grant["token"])
        assert again["janus_error"]["code"] == 403  # and on the old session too

    assert not await SfuGrant.objects.filter(participant=guest).aexists()
    assert grant["token"] not in await sync_to_async(janus_tokens)()


async def test_leaving_revokes_the_token_and_the_last_one_out_destroys_the_room(
    one_janus, live_meeting, alice
):
    host = await sync_to_async(join)(live_meeting, "Alice", user=alice)
    grant = await sync_to_async(sfu.sfu_grant_issue)(participant_id=host.pk)
    assert await sync_to_async(room_exists)(grant["room"])

    await sync_to_async(room.participant_leave)(participant_id=host.pk)

    assert grant["token"] not in await sync_to_async(janus_tokens)()
    assert not await sync_to_async(room_exists)(grant["room"])
    assert not await SfuRoom.objects.filter(meeting=live_meeting).aexists()


async def test_an_expired_grant_is_taken_back_from_janus(one_janus, live_meeting, alice):
    host = await sync_to_async(join)(live_meeting, "Alice", user=alice)
    grant = await sync_to_async(sfu.sfu_grant_issue)(participant_id=host.pk)
    await SfuGrant.objects.filter(participant=host).aupdate(expires_at=timezone.now() - timedelta(seconds=1))

    assert await sync_to_async(sfu.sfu_grants_expire)() == 1

    assert grant["token"] not in await sync_to_async(janus_tokens)()
    async with BrowserJanus(one_janus.ws_url) as browser:
        assert (await browser.session(grant["token"]))["code"] == 403


async def test_end_for_all_destroys_the_room_and_every_token(one_janus, live_meeting, alice):
    host = await sync_to_async(join)(live_meeting, "Alice", user=alice)
    guest = await sync_to_async(join)(live_meeting, "Guest")
    grants = [await sync_to_async(sfu.sfu_grant_issue)(participant_id=p.pk) for p in (host, guest)]

    await sync_to_async(room.room_end)(participant_id=host.pk)

    assert (await Meeting.objects.aget(pk=live_meeting.pk)).state == Meeting.State.ENDED
    assert not await sync_to_async(room_exists)(grants[0]["room"])
    tokens = await sync_to_async(janus_tokens)()
    assert all(grant["token"] not in tokens for grant in grants)
    async with BrowserJanus(one_janus.ws_url) as browser:
        assert (await browser.session(grants[1]["token"]))["code"] == 403


async def test_the_room_secret_is_needed_to_destroy_or_edit_it(one_janus, live_meeting, alice):
    host = await sync_to_async(join)(live_meeting, "Alice", user=alice)
    grant = await sync_to_async(sfu.sfu_grant_issue)(participant_id=host.pk)

    async with BrowserJanus(one_janus.ws_url) as browser:
        ids = await browser.session(grant["token"])
        token = grant["token"]
        destroy = await browser.videoroom(ids, {"request": "destroy", "room": grant["room"]}, token=token)
        guessed = await browser.videoroom(
            ids, {"request": "destroy", "room": grant["room"], "secret": token}, token=token
        )
        edit = await browser.videoroom(
            ids, {"request": "edit", "room": grant["room"], "new_publishers": 1}, token=token
        )
        allow_self = await browser.videoroom(
            ids,
            {"request": "allowed", "room": grant["room"], "action": "disable"},
            token=token,
        )
        create = await browser.videoroom(ids, {"request": "create", "room": 4242}, token=token)

    assert destroy["error_code"] == janus.MISSING_ELEMENT
    assert guessed["error_code"] == janus.UNAUTHORIZED
    assert edit["error_code"] == janus.MISSING_ELEMENT
    assert allow_self["error_code"] == janus.MISSING_ELEMENT
    assert create["error_code"] in (janus.MISSING_ELEMENT, janus.UNAUTHORIZED)  # the admin_key
    assert await sync_to_async(room_exists)(grant["room"])


def _server():
    return janus.janus_servers()[0]


def _feeds(room_id):
    return [p["id"] for p in janus.sfu_participant_list(server=_server(), room_id=room_id)]


def room_exists(room_id):
    return janus.sfu_room_exists(server=_server(), room_id=room_id)


def janus_tokens():
    return janus.sfu_token_list(server=_server())


def _rooms_as_the_site_sees_them():
    server = _server()
    with janus._videoroom(server) as send:
        rooms = send({"request": "list", "admin_key": server.admin_key})["list"]
    return {r["room"]: r for r in rooms}
