"""What can happen to a meeting. Views, admin actions and the signaling consumer all call these."""

import hashlib
import hmac
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import channels, emails
from .codes import random_meeting_code
from .models import (
    CalendarFeed,
    Invitation,
    Meeting,
    MeetingEvent,
    OccurrenceChange,
    Participant,
    Rsvp,
    record_event,
)
from .sfu import sfu_meeting_release

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


# Changing one of these redraws the whole series: single-occurrence changes no longer fit it.
SERIES_SHAPE = ("starts_at", "rrule", "time_zone", "duration")


def meeting_update(*, meeting: Meeting, join_url: str, **fields) -> Meeting:
    """Save a change the invitees should hear of: SEQUENCE goes up, so calendars replace the event."""
    reshaped = any(name in fields and getattr(meeting, name) != fields[name] for name in SERIES_SHAPE)
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.ical_sequence += 1
    meeting.full_clean()
    meeting.save()
    if reshaped:
        meeting.occurrence_changes.all().delete()
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
    # Those who come in from now on take part in this occurrence (its attendance, its chat).
    occurrence = meeting.occurrence_for_entry()
    meeting.live_occurrence = occurrence.recurrence_id if occurrence else None
    meeting.save(update_fields=["live_occurrence"])
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
        if settings.JANUS_SERVERS:  # "End for all" destroys the SFU room and its tokens
            transaction.on_commit(lambda: sfu_meeting_release(meeting_id=meeting.pk), robust=True)
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


def attendance_by_occurrence(meeting: Meeting):
    """[(recurrence_id, [participants])], latest occurrence first: who came to each one."""
    groups = {}
    for person in attendance(meeting):
        groups.setdefault(person.occurrence, []).append(person)
    return sorted(groups.items(), key=lambda item: item[0] or meeting.created_at, reverse=True)


# --- Single occurrences ---------------------------------------------------------------------------


def _changeable_occurrence(meeting, recurrence_id):
    """The occurrence the host wants to change, if it is one of a series and not over yet."""
    if not meeting.is_recurring or not meeting.is_open:
        raise ValidationError("Only an occurrence of a scheduled series can be changed on its own.")
    occurrence = meeting.occurrence(recurrence_id)
    if occurrence is None:
        raise ValidationError("This meeting has no occurrence at that time.")
    if occurrence.ends_at <= timezone.now():
        raise ValidationError("This occurrence is over; it can no longer be changed.")
    return occurrence


def _save_change(meeting, recurrence_id, **fields):
    """Bump the series' SEQUENCE and give the change that number, so calendars take it as newer."""
    meeting.ical_sequence += 1
    meeting.save(update_fields=["ical_sequence", "updated_at"])
    change, _ = OccurrenceChange.objects.update_or_create(
        meeting=meeting, recurrence_id=recurrence_id, defaults={**fields, "sequence": meeting.ical_sequence}
    )
    return change


def occurrence_cancel(*, meeting: Meeting, recurrence_id, join_url: str) -> OccurrenceChange:
    """Cancel one occurrence of a series: an EXDATE in calendars, and a CANCEL for that date only."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        occurrence = _changeable_occurrence(meeting, recurrence_id)
        if occurrence.cancelled:
            return OccurrenceChange.objects.get(meeting=meeting, recurrence_id=recurrence_id)
        change = _save_change(meeting, recurrence_id, cancelled=True)
        transaction.on_commit(lambda: emails.send_occurrence_change(meeting, change, join_url))
    return change


def occurrence_move(
    *, meeting: Meeting, recurrence_id, starts_at, duration: timedelta, join_url: str
) -> OccurrenceChange:
    """Move one occurrence to another day or time: a RECURRENCE-ID override, mailed on its own."""
    if starts_at <= timezone.now():
        raise ValidationError("An occurrence can only be moved to a time in the future.")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _changeable_occurrence(meeting, recurrence_id)
        change = _save_change(meeting, recurrence_id, cancelled=False, starts_at=starts_at, duration=duration)
        transaction.on_commit(lambda: emails.send_occurrence_change(meeting, change, join_url))
    return change


# Settings a new series takes over from the one it splits off ("this and following").
SERIES_COPIED = [
    "title",
    "description",
    "passcode",
    "duration",
    "time_zone",
    "recurrence",
    "allow_guests",
    "join_before_host",
    "waiting_room",
    "mute_on_entry",
    "max_participants",
    "always_sfu",
    "allowed_domains",
    "reminder_minutes",
    "open_minutes_before",
    "hide_network_addresses",
]


def _rrule_ending_before(rrule_text, moment):
    """The same rule, ending just before `moment` (UNTIL replaces any COUNT or UNTIL)."""
    parts = [p for p in rrule_text.split(";") if not p.startswith(("COUNT=", "UNTIL="))]
    until = (moment - timedelta(seconds=1)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return ";".join([*parts, f"UNTIL={until}"])


def series_split(*, meeting: Meeting, recurrence_id, join_url_for, **fields) -> Meeting:
    """Edit "this and following": the series ends before the chosen occurrence and a new series with
    the edited fields starts there (a new UID, as calendar apps do it). The join link stays with the
    future: the new series takes the meeting ID, the earlier part gets a fresh one."""
    with transaction.atomic():
        old = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _changeable_occurrence(old, recurrence_id)
        if recurrence_id <= old.starts_at:
            raise ValidationError("That is the first occurrence: edit the whole series instead.")
        old_code = old.code
        new = Meeting(host=old.host, **{name: getattr(old, name) for name in SERIES_COPIED})
        for name, value in fields.items():
            setattr(new, name, value)
        old.rrule = _rrule_ending_before(old.rrule, recurrence_id)
        old.ical_sequence += 1
        if fields.get("code", old_code) == old_code:
            old.code = random_meeting_code()
            new.code = old_code
        old.save()
        old.occurrence_changes.filter(recurrence_id__gte=recurrence_id).delete()
        new.full_clean()
        new.save()
        for invitation in old.invitations.all():
            Invitation.objects.create(meeting=new, email=invitation.email)
        for answer in old.rsvps.filter(recurrence_id__isnull=True):
            Rsvp.objects.create(meeting=new, email=answer.email, answer=answer.answer)
        if new.invitations.exists():
            transaction.on_commit(
                lambda: emails.send_series_split(
                    old,
                    new,
                    old_join_url=join_url_for(old),
                    new_join_url=join_url_for(new),
                    split_at=recurrence_id,
                )
            )
    return new


# --- RSVP -----------------------------------------------------------------------------------------


def rsvp_answer(*, meeting: Meeting, email: str, recurrence_id, answer: str) -> Rsvp:
    """Record an invitee's answer for one occurrence, or (recurrence_id None) for the whole series,
    which also clears their earlier answers to single occurrences."""
    with transaction.atomic():
        rsvp, _ = Rsvp.objects.update_or_create(
            meeting=meeting,
            email=email.lower(),
            recurrence_id=recurrence_id,
            defaults={"answer": answer, "answered_at": timezone.now()},
        )
        if recurrence_id is None:
            meeting.rsvps.filter(email=email.lower(), recurrence_id__isnull=False).delete()
    return rsvp


def rsvp_answers(meeting: Meeting, occurrences) -> dict:
    """{recurrence_id: {email: answer}} for each occurrence: its own answer, else the series answer."""
    series = {}
    single = {}
    for rsvp in meeting.rsvps.all():
        if rsvp.recurrence_id is None:
            series[rsvp.email] = rsvp.answer
        else:
            single.setdefault(rsvp.recurrence_id, {})[rsvp.email] = rsvp.answer
    return {o.recurrence_id: {**series, **single.get(o.recurrence_id, {})} for o in occurrences}


def rsvp_declined(meeting: Meeting, email: str, recurrence_id) -> bool:
    """True if this invitee answered No for this occurrence, or No for the series and nothing else for
    it. Reads meeting.rsvps.all(), so a caller that prefetched the answers makes no query per person."""
    email = email.lower()
    answers = {r.recurrence_id: r.answer for r in meeting.rsvps.all() if r.email == email}
    return answers.get(recurrence_id, answers.get(None)) == Rsvp.Answer.NO


# --- Calendar feed --------------------------------------------------------------------------------


def calendar_feed_get_or_create(*, user) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_reset(*, user) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)


def feed_meetings(user):
    """Every scheduled meeting a person hosts or is invited to, cancelled ones included."""
    return (
        Meeting.objects.filter(starts_at__isnull=False, is_personal_room=False)
        .filter(Q(host=user) | Q(invitations__email=user.email.lower()))
        .distinct()
        .order_by("starts_at", "pk")
    )


def feed_version(feed: CalendarFeed, meetings, *, site: str):
    """(ETag, Last-Modified) of a feed from two narrow queries, so a calendar app polling it is
    answered "not modified" without building the calendar."""
    rows = list(meetings.values_list("pk", "updated_at"))
    changes = list(
        OccurrenceChange.objects.filter(meeting__in=[pk for pk, _ in rows])
        .order_by("pk")
        .values_list("pk", "updated_at")
    )
    digest = hashlib.sha256(repr((feed.key, site, rows, changes)).encode()).hexdigest()[:32]
    stamps = [feed.created_at, *(stamp for _, stamp in rows), *(stamp for _, stamp in changes)]
    return f'"{digest}"', max(stamps)
