"""The live room: who is in the call, and everything they may do there.

The signaling consumer calls these functions (through database_sync_to_async) and nothing else
touches Participant rows during a call. Each function checks the rules itself, changes rows in one
transaction, and tells the others after commit, so nobody hears of a change that was rolled back.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import channels, entry, services, sfu
from .models import ChatMessage, Meeting, MeetingEvent, Participant, record_event
from .protocol import Close, Error, ProtocolError
from .throttle import chats_per_participant, knocks_per_ip_per_meeting
from .tickets import Joiner, Refused

RECENT_CHAT = 50
Status = Participant.Status
Role = Participant.Role


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def peer_public(participant):
    """What others may know of a participant."""
    return {
        "peer_id": participant.peer_id,
        "name": participant.display_name,
        "role": participant.role,
        "media": participant.media,
    }


def chat_public(message):
    return {
        "id": message.id,
        "from": message.participant.peer_id if message.participant else None,
        "name": message.sender_name,
        "text": message.text,
        "sent_at": message.sent_at.isoformat(),
    }


@dataclass
class Snapshot:
    """What a participant learns on entering the call: the full state, before any event."""

    participant: Participant
    meeting: dict  # what the welcome says of the meeting
    peers: list  # peer_public dicts plus "channel" (stripped before sending)
    waiting: list
    chat: list
    resume_token: str | None = None

    @property
    def is_joined(self):
        return self.participant.status == Status.JOINED


def _room_snapshot(participant, meeting, resume_token=None):
    others = list(meeting.participants.filter(status__in=Participant.ACTIVE).exclude(pk=participant.pk))
    peers = [{**peer_public(p), "channel": p.channel_name} for p in others if p.status == Status.JOINED]
    waiting = []
    if participant.can_moderate:
        waiting = [peer_public(p) for p in others if p.status == Status.WAITING]
    chat = []
    if participant.status == Status.JOINED:
        # Only this occurrence's chat: the previous meeting of a series is closed.
        this_occurrence = meeting.chat_messages.filter(occurrence=participant.occurrence)
        recent = this_occurrence.select_related("participant").order_by("-sent_at", "-id")[:RECENT_CHAT]
        chat = [chat_public(m) for m in reversed(recent)]
    meeting_public = {
        "code": meeting.code,
        "title": meeting.title,
        "host_name": meeting.host.public_name,
        "locked": meeting.locked,
        "waiting_room": meeting.waiting_room,
        "mute_on_entry": meeting.mute_on_entry,
        "max_participants": meeting.max_participants,
        "hide_network_addresses": meeting.hides_network_addresses,
    }
    return Snapshot(participant, meeting_public, peers, waiting, chat, resume_token)


def _enter(participant, meeting):
    """Waiting or new → joined; the meeting goes live. Caller holds the meeting row lock."""
    now = timezone.now()
    services.meeting_start(meeting=meeting)
    participant.status = Status.JOINED
    participant.joined_at = now
    participant.last_seen_at = now
    participant.occurrence = meeting.live_occurrence
    if meeting.mute_on_entry and not participant.can_moderate:
        participant.media = {**participant.media, "audio": False}
    participant.save()
    record_event(meeting, MeetingEvent.Kind.JOINED, subject=participant)
    public = peer_public(participant)
    channel = participant.channel_name
    code = meeting.code
    transaction.on_commit(
        lambda: channels.broadcast(code, channels.PEER_JOINED, peer=public, channel=channel)
    )


def _refuse_knock_spam(meeting, joiner, address):
    """A browser whose knock was denied waits before knocking again, and one address may knock on a
    meeting only so often: otherwise fresh tickets would keep the hosts' waiting list busy."""
    config = settings.SIGNALING
    if joiner.client_key:
        since = timezone.now() - timedelta(seconds=config["KNOCK_AGAIN_AFTER_DENIAL"])
        denied = meeting.participants.filter(client_key=joiner.client_key, status=Status.DENIED)
        if denied.filter(left_at__gte=since).exists():
            raise Refused(
                Close.KNOCK_LIMIT, "The host did not let you in; wait a minute before knocking again."
            )
    limit = knocks_per_ip_per_meeting()
    key = f"{meeting.code}:{address}"
    if limit.is_exceeded(key):
        raise Refused(
            Close.KNOCK_LIMIT, "Too many knocks on this meeting from your address; try again later."
        )
    limit.record(key)


def participant_connect(*, joiner: Joiner, channel_name, user_agent="", address="") -> Snapshot:
    """A new socket with a valid ticket (or session): admit it to the call or to the waiting room."""
    resume_token = secrets.token_urlsafe(24)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(code=joiner.meeting_code).first()
        if meeting is None:
            raise Refused(Close.NOT_FOUND, "There is no meeting with this ID.")
        admission = entry.admission(meeting, joiner)
        if admission.knocks:
            _refuse_knock_spam(meeting, joiner, address)
        _replace_same_browser(meeting, joiner.client_key)
        participant = Participant.objects.create(
            meeting=meeting,
            user_id=joiner.user_id,
            display_name=joiner.display_name,
            role=admission.role,
            status=Status.WAITING,
            ticket_nonce=joiner.nonce,
            client_key=joiner.client_key,
            channel_name=channel_name,
            last_seen_at=timezone.now(),
            resume_token_hash=_hash(resume_token),
            user_agent=user_agent[:300],
        )
        if admission.knocks:
            record_event(meeting, MeetingEvent.Kind.KNOCKED, subject=participant)
            public = peer_public(participant)
            code = meeting.code
            transaction.on_commit(
                lambda: channels.broadcast(
                    code, channels.KNOCK, peer=public, groups=[channels.moderators_group(code)]
                )
            )
            _idle_if_empty(meeting)  # this browser's earlier place may have been the call's last
        else:
            _enter(participant, meeting)
        return _room_snapshot(participant, meeting, resume_token)


def hold_peer_count(joiner: Joiner) -> int:
    """How many people a held socket would connect to if it joined now, so it can ready a connection
    for each. 0 if it would knock or be refused: only who would enter at once learns how many are in.
    """
    meeting = Meeting.objects.filter(code=joiner.meeting_code).first()
    if meeting is None:
        return 0
    try:
        admission = entry.admission(meeting, joiner)
    except Refused:
        return 0
    if admission.knocks:
        return 0
    return entry.places_of_others(meeting, joiner).filter(status=Status.JOINED).count()


def meeting_hides_network_addresses(meeting_code) -> bool:
    """What a held socket tells its page: make the connections ahead relay-only, or not."""
    meeting = Meeting.objects.filter(code=meeting_code).first()
    return bool(meeting and meeting.hides_network_addresses)


def _replace_same_browser(meeting, client_key):
    """One place per browser session: joining again (a reload, a crash) retires the old one at once.

    The meeting is not put back to scheduled meanwhile, even if that was the only person in it: they
    are coming straight back, and the caller holds a copy of the meeting that would still say live.
    """
    if not client_key:
        return
    for old in meeting.participants.filter(client_key=client_key, status__in=Participant.ACTIVE):
        channel = old.channel_name
        if _mark_left(old, Status.LEFT, "replaced", idle_if_empty=False):
            transaction.on_commit(lambda channel=channel: channels.send_to(channel, channels.REPLACED))


def participant_enter_after_admission(*, participant_id) -> Snapshot:
    """A waiting participant the host admitted comes into the call (if there is still room)."""
    with transaction.atomic():
        participant = Participant.objects.select_related("meeting").get(pk=participant_id)
        meeting = Meeting.objects.select_for_update().get(pk=participant.meeting_id)
        if refusal := entry.meeting_closed(meeting):
            raise refusal
        if participant.status != Status.WAITING:
            raise Refused(Close.REMOVED, "You are no longer in this meeting.")
        if refusal := entry.full(meeting):
            raise refusal
        _enter(participant, meeting)
        return _room_snapshot(participant, meeting)


def participant_resume(*, meeting_code, resume_token, client_key, channel_name) -> Snapshot:
    """A dropped socket came back in time: same peer ID and role; the old socket, if any, is retired.

    The token is good only from the browser session that joined (`client_key` of the socket's
    session cookie): a token copied elsewhere is worth nothing, while a second tab of the same
    session still resumes. A refusal does not say which of the two was wrong.
    """
    with transaction.atomic():
        participant = (
            Participant.objects.select_for_update()
            .select_related("meeting")
            .filter(resume_token_hash=_hash(resume_token), meeting__code=meeting_code)
            .first()
        )
        if (
            participant is None
            or participant.status not in Participant.ACTIVE
            or not client_key
            or not secrets.compare_digest(participant.client_key, client_key)
        ):
            raise Refused(Close.RESUME_FAILED, "Your place in the meeting expired; join again.")
        meeting = participant.meeting
        if refusal := entry.meeting_closed(meeting):
            raise refusal
        old_channel = participant.channel_name
        participant.channel_name = channel_name
        participant.last_seen_at = timezone.now()
        participant.save(update_fields=["channel_name", "last_seen_at"])
        code = meeting.code
        peer_id = participant.peer_id
        if old_channel and old_channel != channel_name:
            transaction.on_commit(lambda: channels.send_to(old_channel, channels.REPLACED))
        if participant.status == Status.JOINED:
            transaction.on_commit(
                lambda: channels.broadcast(code, channels.PEER_RESUMED, peer_id=peer_id, channel=channel_name)
            )
        elif participant.admitted_at is not None:
            # Admitted while its socket was down: the admission was not lost, it comes in now.
            meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
            if refusal := entry.full(meeting):
                raise refusal
            _enter(participant, meeting)
        return _room_snapshot(participant, meeting, resume_token)


def _mark_left(participant, status, reason, *, idle_if_empty=True):
    """Set a final status; tell the room (or the moderators, for someone waiting). Returns changed."""
    was = participant.status
    changed = Participant.objects.filter(pk=participant.pk, status__in=Participant.ACTIVE).update(
        status=status, left_at=timezone.now(), channel_name=""
    )
    if not changed:
        return False
    code = participant.meeting.code
    peer_id = participant.peer_id
    if settings.JANUS_SERVERS:  # their Janus token goes with them (meetings.sfu)
        transaction.on_commit(lambda: sfu.sfu_participant_gone(participant_id=participant.pk), robust=True)
    if status == Status.LEFT:
        kind = MeetingEvent.Kind.TIMED_OUT if reason == "timeout" else MeetingEvent.Kind.LEFT
        record_event(participant.meeting, kind, subject=participant)
    if was == Status.JOINED:
        transaction.on_commit(
            lambda: channels.broadcast(code, channels.PEER_LEFT, peer_id=peer_id, reason=reason)
        )
        if idle_if_empty:
            _idle_if_empty(participant.meeting)
    else:
        transaction.on_commit(
            lambda: channels.broadcast(
                code, channels.WAITING_LEFT, peer_id=peer_id, groups=[channels.moderators_group(code)]
            )
        )
    return True


def _idle_if_empty(meeting):
    """When the last person leaves, a live meeting goes back to scheduled until someone returns."""
    if meeting.state == Meeting.State.LIVE and not meeting.participants.filter(status=Status.JOINED).exists():
        Meeting.objects.filter(pk=meeting.pk, state=Meeting.State.LIVE).update(
            state=Meeting.State.SCHEDULED, state_changed_at=timezone.now()
        )


def participant_leave(*, participant_id):
    """The person left on purpose (Leave, the tab closed): the others hear it at once."""
    with transaction.atomic():
        participant = Participant.objects.select_related("meeting").filter(pk=participant_id).first()
        if participant is not None:
            _mark_left(participant, Status.LEFT, "left")


def participant_interrupt(*, participant_id, channel_name):
    """The socket dropped without a goodbye: keep the place for the resume grace, tell the others."""
    with transaction.atomic():
        changed = Participant.objects.filter(
            pk=participant_id, status=Status.JOINED, channel_name=channel_name
        ).update(channel_name="", last_seen_at=timezone.now())
        if changed:
            participant = Participant.objects.select_related("meeting").get(pk=participant_id)
            code, peer_id = participant.meeting.code, participant.peer_id
            transaction.on_commit(
                lambda: channels.broadcast(code, channels.PEER_INTERRUPTED, peer_id=peer_id)
            )
        else:
            # Waiting, or already replaced by a resumed socket: waiting ones simply leave.
            Participant.objects.filter(
                pk=participant_id, status=Status.WAITING, channel_name=channel_name
            ).update(channel_name="", last_seen_at=timezone.now())


def participant_heartbeat(*, participant_id):
    Participant.objects.filter(pk=participant_id).update(last_seen_at=timezone.now())


def participants_prune_stale(now=None):
    """Mark as left everyone whose heartbeat stopped: their socket died, or their server did.

    A connected row is stale after IDLE_TIMEOUT + RESUME_GRACE without a heartbeat; a row whose
    socket dropped is stale after RESUME_GRACE. Runs in every server process and at start-up.
    """
    now = now or timezone.now()
    config = settings.SIGNALING
    grace = timedelta(seconds=config["RESUME_GRACE"])
    dead = timedelta(seconds=config["IDLE_TIMEOUT"]) + grace
    stale = Participant.objects.filter(status__in=Participant.ACTIVE).filter(
        models_q_stale(now - dead, now - grace)
    )
    pruned = 0
    for participant in stale.select_related("meeting"):
        with transaction.atomic():
            if _mark_left(participant, Status.LEFT, "timeout"):
                pruned += 1
    return pruned


def models_q_stale(dead_before, dropped_before):
    from django.db.models import Q

    return (
        Q(last_seen_at__lt=dead_before)
        | Q(last_seen_at__isnull=True)
        | Q(channel_name="", last_seen_at__lt=dropped_before)
    )


# --- Actions inside the call ----------------------------------------------------------------------


def _actor(participant_id):
    """The acting participant, re-read: roles change during a call and the row is the truth."""
    participant = Participant.objects.select_related("meeting").get(pk=participant_id)
    if participant.status != Status.JOINED:
        raise ProtocolError(Error.NOT_JOINED, "You are not in the call.")
    return participant


def _moderator(participant_id):
    actor = _actor(participant_id)
    if not actor.can_moderate:
        raise ProtocolError(Error.NOT_ALLOWED, "Only a host can do that.")
    return actor


def _target(actor, peer_id, statuses):
    target = actor.meeting.participants.filter(peer_id=peer_id, status__in=statuses).first()
    if target is None:
        raise ProtocolError(Error.UNKNOWN_PEER, "Nobody with that peer ID is here.")
    return target


def chat_post(*, participant_id, text):
    """Store and broadcast a chat message; at most CHAT_PER_10_SECONDS of them per participant."""
    limit = chats_per_participant()
    if limit.is_exceeded(participant_id):
        raise ProtocolError(Error.CHAT_TOO_FAST, "You are sending messages too fast; wait a few seconds.")
    with transaction.atomic():
        actor = _actor(participant_id)
        limit.record(participant_id)
        message = ChatMessage.objects.create(
            meeting=actor.meeting,
            participant=actor,
            sender_name=actor.display_name,
            text=text,
            occurrence=actor.occurrence,
        )
        public = chat_public(message)
        code = actor.meeting.code
        transaction.on_commit(lambda: channels.broadcast(code, channels.CHAT, message=public))
    return public


def participant_set_media(*, participant_id, media):
    with transaction.atomic():
        actor = _actor(participant_id)
        actor.media = {**actor.media, **media}
        actor.save(update_fields=["media"])
        code, peer_id, state = actor.meeting.code, actor.peer_id, actor.media
        transaction.on_commit(
            lambda: channels.broadcast(code, channels.PEER_MEDIA, peer_id=peer_id, media=state)
        )


def participant_admit(*, participant_id, peer_id):
    with transaction.atomic():
        actor = _moderator(participant_id)
        target = _target(actor, peer_id, [Status.WAITING])
        target.admitted_at = timezone.now()
        target.save(update_fields=["admitted_at"])
        record_event(actor.meeting, MeetingEvent.Kind.ADMITTED, actor=actor, subject=target)
        channel, code = target.channel_name, actor.meeting.code
        transaction.on_commit(lambda: channels.send_to(channel, channels.ADMITTED))
        transaction.on_commit(
            lambda: channels.broadcast(
                code, channels.WAITING_LEFT, peer_id=peer_id, groups=[channels.moderators_group(code)]
            )
        )


def participant_deny(*, participant_id, peer_id):
    with transaction.atomic():
        actor = _moderator(participant_id)
        target = _target(actor, peer_id, [Status.WAITING])
        channel = target.channel_name
        _mark_left(target, Status.DENIED, "denied")
        record_event(actor.meeting, MeetingEvent.Kind.DENIED, actor=actor, subject=target)
        transaction.on_commit(lambda: channels.send_to(channel, channels.DENIED))


def participant_remove(*, participant_id, peer_id):
    """Remove someone from the call; their ticket and resume token stop working."""
    with transaction.atomic():
        actor = _moderator(participant_id)
        target = _target(actor, peer_id, list(Participant.ACTIVE))
        if target.role == Role.HOST or (target.role == Role.COHOST and actor.role != Role.HOST):
            raise ProtocolError(Error.NOT_ALLOWED, "You cannot remove this participant.")
        channel = target.channel_name
        target.resume_token_hash = ""
        target.save(update_fields=["resume_token_hash"])
        _mark_left(target, Status.REMOVED, "removed")
        record_event(actor.meeting, MeetingEvent.Kind.REMOVED, actor=actor, subject=target)
        transaction.on_commit(lambda: channels.send_to(channel, channels.REMOVED))


def participant_request_mute(*, participant_id, peer_id):
    with transaction.atomic():
        actor = _moderator(participant_id)
        target = _target(actor, peer_id, [Status.JOINED])
        channel, by = target.channel_name, actor.display_name
        transaction.on_commit(lambda: channels.send_to(channel, channels.MUTE_REQUESTED, by=by))


def participant_make_cohost(*, participant_id, peer_id):
    with transaction.atomic():
        actor = _actor(participant_id)
        if actor.role != Role.HOST:
            raise ProtocolError(Error.NOT_ALLOWED, "Only the host can make co-hosts.")
        target = _target(actor, peer_id, [Status.JOINED])
        if target.role != Role.GUEST:
            return
        target.role = Role.COHOST
        target.save(update_fields=["role"])
        record_event(actor.meeting, MeetingEvent.Kind.MADE_COHOST, actor=actor, subject=target)
        code = actor.meeting.code
        transaction.on_commit(
            lambda: channels.broadcast(code, channels.PEER_ROLE, peer_id=peer_id, role=Role.COHOST)
        )


def room_set_locked(*, participant_id, locked):
    with transaction.atomic():
        actor = _moderator(participant_id)
        services.meeting_set_locked(meeting=actor.meeting, locked=locked, by=actor)


def room_end(*, participant_id):
    actor = _moderator(participant_id)
    services.meeting_end(meeting=actor.meeting, by=actor)


def waiting_list(*, participant_id):
    actor = Participant.objects.select_related("meeting").get(pk=participant_id)
    waiting = actor.meeting.participants.filter(status=Status.WAITING)
    return [peer_public(p) for p in waiting]
