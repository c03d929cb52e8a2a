"""Mesh or SFU, where a meeting's SFU room lives, and who may use it.

The rules around the media server, each in one function: `media_mode` decides mesh or SFU,
`sfu_meeting_place` puts a meeting on one Janus server (sticky, in the database, so every daphne
process agrees), `sfu_grant_issue` / `sfu_grant_revoke` give and take an admitted participant's Janus
token, `sfu_meeting_release` ends the room. meetings/janus.py does the talking.

Secrets: the room's `secret` and each participant's token are HMACs under the site's secret key of
the rows' columns, so neither is stored and both can be named again to revoke. The token is opaque
(hex), carries no name or address, and is good only for the VideoRoom plugin and that one room.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import janus
from .models import Meeting, Participant, SfuGrant, SfuRoom

logger = logging.getLogger(__name__)

MESH = "mesh"
SFU = "sfu"
JS_SAFE_INTEGER = 2**53 - 1  # room and feed IDs travel to browsers as JSON numbers


def media_mode(meeting: Meeting, live_count: int) -> str:
    """MESH or SFU for a meeting with `live_count` people in the call (counting a newcomer).

    No Janus configured: always the mesh, as before. Once on the SFU a meeting stays there until it
    empties (its SfuRoom row exists). Otherwise the SFU when the site or the meeting says "always",
    or when more people are in than MESH_MAX_PEOPLE.
    """
    if not janus.janus_configured():
        return MESH
    if SfuRoom.objects.filter(meeting=meeting).exists():
        return SFU
    if settings.SFU_ALWAYS or meeting.always_sfu or live_count > settings.MESH_MAX_PEOPLE:
        return SFU
    return MESH


def _room_secret(sfu_room):
    return salted_hmac(
        "huddle.sfu.room-secret", f"{sfu_room.server}:{sfu_room.room_id}", algorithm="sha256"
    ).hexdigest()


def _token(grant):
    """The participant's Janus token: derived from the grant's fixed columns (its random feed ID makes
    each grant's token new), never stored, never containing who they are. Its expiry is the row's:
    Janus's stored tokens do not expire, so sfu_grants_expire takes them back."""
    value = f"{grant.sfu_room.server}:{grant.sfu_room.room_id}:{grant.participant.peer_id}:{grant.feed_id}"
    return salted_hmac("huddle.sfu.token", value, algorithm="sha256").hexdigest()


# --- Placement ------------------------------------------------------------------------------------


def sfu_server_choose(*, exclude=()):
    """The least loaded configured server that answers (fewest participants, then fewest rooms).

    A server that does not answer is skipped and logged; JanusError if none answers.
    """
    loads = []
    for server in janus.janus_servers():
        if server.name in exclude:
            continue
        try:
            participants, rooms = janus.sfu_server_load(server)
        except janus.JanusError as error:
            logger.warning("Janus %s skipped for placement: %s", server.name, error)
            continue
        loads.append((participants, rooms, server.name, server))
    if not loads:
        raise janus.JanusError("no Janus server answers")
    return min(loads, key=lambda load: load[:3])[3]


def sfu_meeting_place(*, meeting: Meeting) -> SfuRoom:
    """The meeting's SFU room, creating it on the least loaded server the first time (sticky).

    Janus is asked outside any transaction; if another process placed the meeting meanwhile, its
    row wins (one row per meeting) and the room made here is destroyed again.
    """
    existing = SfuRoom.objects.filter(meeting=meeting).first()
    if existing is not None and janus.janus_server_named(existing.server) is not None:
        return existing
    if existing is not None:  # its server left JANUS_SERVERS: place the meeting afresh
        existing.delete()
    server = sfu_server_choose()
    sfu_room = SfuRoom(meeting=meeting, server=server.name, room_id=secrets.randbelow(JS_SAFE_INTEGER) + 1)
    janus.sfu_room_create(
        server=server,
        room_id=sfu_room.room_id,
        secret=_room_secret(sfu_room),
        publishers=meeting.max_participants,
        description=meeting.code,
    )
    try:
        with transaction.atomic():
            sfu_room.save()
    except IntegrityError:
        janus.sfu_room_destroy(server=server, room_id=sfu_room.room_id, secret=_room_secret(sfu_room))
        return SfuRoom.objects.get(meeting=meeting)
    return sfu_room


def sfu_meeting_release(*, meeting_id):
    """The meeting emptied or ended: every token goes, the room is destroyed (everyone hung up), and
    the next growth places it afresh. Best effort towards Janus: a failure is logged, never raised."""
    sfu_room = SfuRoom.objects.filter(meeting_id=meeting_id).first()
    if sfu_room is None:
        return
    server = janus.janus_server_named(sfu_room.server)
    if server is not None:
        try:
            for grant in sfu_room.grants.select_related("participant", "sfu_room"):
                janus.sfu_token_remove(server=server, token=_token(grant))
            janus.sfu_room_destroy(server=server, room_id=sfu_room.room_id, secret=_room_secret(sfu_room))
        except janus.JanusError as error:
            logger.warning("Janus %s: could not release room %s: %s", server.name, sfu_room.room_id, error)
    sfu_room.delete()


# --- Grants ---------------------------------------------------------------------------------------


def sfu_grant_issue(*, participant_id) -> dict:
    """An admitted participant's way into the meeting's SFU room: what the client gets.

    Only someone in the call (status joined) gets one; a new grant replaces an earlier one (a token
    about to expire). The token is added to Janus's token_auth list (for the VideoRoom plugin) and to
    the room's `allowed` list; the room's secret stays here.
    """
    participant = Participant.objects.select_related("meeting").get(pk=participant_id)
    if participant.status != Participant.Status.JOINED:
        raise PermissionError("Only a participant in the call gets a media server token.")
    sfu_room = sfu_meeting_place(meeting=participant.meeting)
    server = janus.janus_server_named(sfu_room.server)
    sfu_grant_revoke(participant_id=participant_id, kick=False)
    grant = SfuGrant(
        participant=participant,
        sfu_room=sfu_room,
        feed_id=secrets.randbelow(JS_SAFE_INTEGER) + 1,
        expires_at=timezone.now() + timedelta(seconds=settings.SFU_TOKEN_MAX_AGE),
    )
    token = _token(grant)
    janus.sfu_token_add(server=server, token=token)
    try:
        janus.sfu_room_allow(
            server=server, room_id=sfu_room.room_id, secret=_room_secret(sfu_room), tokens=[token]
        )
    except janus.JanusError:
        janus.sfu_token_remove(server=server, token=token)  # no half-granted token left in Janus
        raise
    grant.save()
    return {
        "server": server.public_url,
        "room": sfu_room.room_id,
        "feed_id": grant.feed_id,
        "token": token,
        "expires_at": grant.expires_at.isoformat(),
    }


def sfu_grant_revoke(*, participant_id, kick=True):
    """Take a participant's token back (Janus refuses it from now on) and, with `kick`, hang up their
    publisher and subscriptions. Nothing to do without a grant. Best effort: logged, never raised."""
    grant = (
        SfuGrant.objects.select_related("participant", "sfu_room")
        .filter(participant_id=participant_id)
        .first()
    )
    if grant is None:
        return
    sfu_room = grant.sfu_room
    server = janus.janus_server_named(sfu_room.server)
    if server is not None:
        token, secret = _token(grant), _room_secret(sfu_room)
        try:
            janus.sfu_token_remove(server=server, token=token)
            janus.sfu_room_allow(
                server=server, room_id=sfu_room.room_id, secret=secret, tokens=[token], allow=False
            )
            if kick:
                janus.sfu_participant_kick(
                    server=server, room_id=sfu_room.room_id, secret=secret, feed_id=grant.feed_id
                )
        except janus.JanusError as error:
            if error.code != janus.NO_SUCH_ROOM:
                logger.warning("Janus %s: could not revoke a grant: %s", server.name, error)
    grant.delete()


def sfu_grants_expire(now=None):
    """Revoke every grant past its expiry (Janus's stored tokens never expire by themselves)."""
    now = now or timezone.now()
    expired = list(SfuGrant.objects.filter(expires_at__lte=now).values_list("participant_id", flat=True))
    for participant_id in expired:
        sfu_grant_revoke(participant_id=participant_id)
    return len(expired)


def sfu_participant_gone(*, participant_id):
    """A participant left, was removed or timed out: their grant goes; the last one out releases the
    room. What room.py calls after commit when Janus is configured."""
    meeting_id = Participant.objects.filter(pk=participant_id).values_list("meeting_id", flat=True).first()
    sfu_grant_revoke(participant_id=participant_id)
    if (
        meeting_id
        and not Participant.objects.filter(meeting_id=meeting_id, status=Participant.Status.JOINED).exists()
    ):
        sfu_meeting_release(meeting_id=meeting_id)
