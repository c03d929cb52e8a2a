"""What can happen to a meeting. Views, admin actions and the signaling consumer all call these."""

import hmac
from datetime import UTC, date, datetime, time

from django.db import transaction
from django.utils import timezone

from . import channels, emails
from .models import Invitation, Meeting, MeetingEvent, Participant, record_event

WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def recurrence_rrule(*, recurrence, starts_at_local, until: date | None = None, count: int | None = None):
    """The RFC 5545 RRULE for a form's recurrence choice, anchored on the local start."""
    if not recurrence:
        return ""
    parts = {
        Meeting.Recurrence.DAILY: ["FREQ=DAILY"],
        Meeting.Recurrence.WEEKDAYS: ["FREQ=WEEKLY", "BYDAY=MO,TU,WE,TH,FR"],
        Meeting.Recurrence.WEEKLY: ["FREQ=WEEKLY", f"BYDAY={WEEKDAY_CODES[starts_at_local.weekday()]}"],
        Meeting.Recurrence.MONTHLY: ["FREQ=MONTHLY", f"BYMONTHDAY={starts_at_local.day}"],
    }[recurrence]
    if count:
        parts.append(f"COUNT={count}")
    elif until:
        # UNTIL is inclusive; the last moment of the chosen day in the meeting's zone, as UTC.
        end_of_day = datetime.combine(until, time(23, 59, 59), tzinfo=starts_at_local.tzinfo)
        parts.append("UNTIL=" + end_of_day.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    return ";".join(parts)


def meeting_create(*, host, title, **fields) -> Meeting:
    meeting = Meeting(host=host, title=title, time_zone=fields.pop("time_zone", host.time_zone), **fields)
    meeting.full_clean()
    meeting.save()
    return meeting


def meeting_create_instant(*, host) -> Meeting:
    """A meeting that starts now, like the classic "/ leads to a fresh room"."""
    return meeting_create(
        host=host,
        title=f"{host.public_name}’s meeting",
        starts_at=timezone.now(),
        join_before_host=False,
    )


def personal_room_get_or_create(*, user) -> Meeting:
    """Every user's permanent room; created on first use so existing users get one too."""
    room = Meeting.objects.filter(host=user, is_personal_room=True).first()
    if room is not None:
        return room
    return meeting_create(
        host=user,
        title=f"{user.public_name}’s personal room",
        is_personal_room=True,  # its ID is random like any other: hard to guess, reveals nothing
    )


def meeting_update(*, meeting: Meeting, join_url: str, **fields) -> Meeting:
    """Save a change the invitees should hear of: SEQUENCE goes up, so calendars replace the event."""
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.ical_sequence += 1
    meeting.full_clean()
    meeting.save()
    if meeting.invitations.exists():
        transaction.on_commit(lambda: emails.send_invitations(meeting, None, join_url))
    return meeting


def _set_state(meeting, state, **stamps):
    now = timezone.now()
    meeting.state = state
    meeting.state_changed_at = now
    for field in stamps:
        setattr(meeting, field, now)
    meeting.save(update_fields=["state", "state_changed_at", *stamps, "updated_at"])


def _actor_name(by):
    """`by` is a Participant (in a call), a user (admin, views) or None (the system)."""
    if by is None:
        return ""
    return getattr(by, "display_name", None) or getattr(by, "public_name", None) or str(by)


def _record(meeting, kind, by):
    actor = by if isinstance(by, Participant) else None
    record_event(meeting, kind, actor=actor, actor_name=_actor_name(by))


def meeting_start(*, meeting: Meeting) -> Meeting:
    """The host arrived: the meeting is live, and those waiting for the host may come in."""
    if meeting.state == Meeting.State.LIVE or not meeting.is_open:
        return meeting
    _set_state(meeting, Meeting.State.LIVE, started_at=True)
    _record(meeting, MeetingEvent.Kind.STARTED, None)
    code = meeting.code
    transaction.on_commit(
        lambda: channels.broadcast(code, channels.MEETING_STARTED, groups=[channels.waiting_group(code)])
    )
    return meeting


def meeting_end(*, meeting: Meeting, by=None) -> Meeting:
    """End the meeting for everyone: connected clients are told and disconnected.

    A personal room or a recurring series is not over for good: it returns to "scheduled" so it can
    be opened again; a one-off meeting becomes "ended".
    """
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.state in (Meeting.State.ENDED, Meeting.State.CANCELLED):
            return meeting
        reusable = meeting.is_personal_room or meeting.is_recurring
        meeting.locked = False
        meeting.save(update_fields=["locked"])
        _set_state(meeting, Meeting.State.SCHEDULED if reusable else Meeting.State.ENDED, ended_at=True)
        _record(meeting, MeetingEvent.Kind.ENDED, by)
        meeting.participants.filter(
            status__in=[Participant.Status.JOINED, Participant.Status.WAITING]
        ).update(status=Participant.Status.LEFT, left_at=meeting.ended_at)
        code = meeting.code
        everyone = [channels.meeting_group(code), channels.waiting_group(code)]
        transaction.on_commit(lambda: channels.broadcast(code, channels.MEETING_ENDED, groups=everyone))
    return meeting


def meeting_cancel(*, meeting: Meeting, join_url: str, by=None) -> Meeting:
    """Cancel a meeting that has not ended: invitees get a CANCEL for their calendars."""
    if meeting.state == Meeting.State.CANCELLED:
        return meeting
    if meeting.state == Meeting.State.LIVE:
        meeting_end(meeting=meeting, by=by)
        meeting.refresh_from_db()
    meeting.ical_sequence += 1
    meeting.save(update_fields=["ical_sequence"])
    _set_state(meeting, Meeting.State.CANCELLED, cancelled_at=True)
    _record(meeting, MeetingEvent.Kind.CANCELLED, by)
    if meeting.invitations.exists():
        transaction.on_commit(lambda: emails.send_cancellation(meeting, join_url))
    return meeting


def meeting_set_locked(*, meeting: Meeting, locked: bool, by=None) -> Meeting:
    """A locked meeting admits nobody new; those inside stay."""
    if meeting.locked != locked:
        meeting.locked = locked
        meeting.save(update_fields=["locked", "updated_at"])
        _record(meeting, MeetingEvent.Kind.LOCKED if locked else MeetingEvent.Kind.UNLOCKED, by)
        code = meeting.code
        transaction.on_commit(lambda: channels.broadcast(code, channels.MEETING_LOCK_CHANGED, locked=locked))
    return meeting


def meeting_invite(*, meeting: Meeting, emails_to_invite: list[str], join_url: str) -> list[Invitation]:
    """Record the invitees and mail each one the link and the calendar file."""
    invited = []
    for address in emails_to_invite:
        invitation, _ = Invitation.objects.get_or_create(meeting=meeting, email=address.lower())
        invited.append(invitation)
    transaction.on_commit(lambda: emails.send_invitations(meeting, [i.email for i in invited], join_url))
    return invited


def passcode_matches(*, meeting: Meeting, passcode: str) -> bool:
    """Constant-time comparison, so timing reveals nothing about the passcode."""
    return hmac.compare_digest(meeting.passcode.encode(), (passcode or "").strip().encode())


def attendance(meeting: Meeting):
    """Everyone who was admitted, with when they came and went, for the host's report."""
    return meeting.participants.filter(joined_at__isnull=False).select_related("user").order_by("joined_at")
