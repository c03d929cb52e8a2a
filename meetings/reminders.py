"""Reminders before each occurrence: a mail to the host and to every invitee who did not decline,
and a notice on the site for a member who has it open.

Every sender (each daphne process's periodic task, `manage.py send_reminders` run by cron or a
systemd timer) runs the same pass. A mail goes out only after its ReminderSent row was inserted, and
the row is unique per occurrence and address: when two senders race, one insert wins and the other
fails, so each reminder is sent once.
"""

import asyncio
import logging
import zoneinfo
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import emails, services
from .models import REMINDER_CHOICES, Meeting, ReminderSent

logger = logging.getLogger(__name__)

LONGEST_REMINDER = timedelta(minutes=max(minutes for minutes, _ in REMINDER_CHOICES))
# A notice stays on the page this long after the start, for whoever is late.
NOTICE_AFTER_START = timedelta(minutes=5)


def _candidates(now, horizon):
    """Open meetings that may have an occurrence starting before the horizon (a narrow query; the
    exact times come from expanding each)."""
    soon = Q(starts_at__gt=now, starts_at__lte=horizon)
    series = ~Q(rrule="") & Q(starts_at__lte=horizon)
    moved = Q(occurrence_changes__starts_at__gt=now, occurrence_changes__starts_at__lte=horizon)
    return (
        Meeting.objects.open()
        .filter(is_personal_room=False, reminder_minutes__gt=0)
        .filter(soon | series | moved)
        .distinct()
        .select_related("host")
        .prefetch_related("occurrence_changes", "invitations", "rsvps")
    )


def due(now=None):
    """[(meeting, occurrence)] whose reminder time has come and that have not started yet."""
    now = now or timezone.now()
    found = []
    for meeting in _candidates(now, now + LONGEST_REMINDER):
        lead = timedelta(minutes=meeting.reminder_minutes)
        for occurrence in meeting.occurrence_list(after=now, before=now + lead + timedelta(seconds=1)):
            if now < occurrence.starts_at <= now + lead:
                found.append((meeting, occurrence))
    return found


def recipients(meeting, occurrence):
    """The host and the invitees, less those who answered No (for this occurrence or the series)."""
    addresses = [meeting.host.email.lower()]
    for invitation in meeting.invitations.all():
        if invitation.email not in addresses and not services.rsvp_declined(
            meeting, invitation.email, occurrence.recurrence_id
        ):
            addresses.append(invitation.email)
    return addresses


def _claim(meeting, occurrence, address):
    """Insert the unique row; True if this sender won it and must send."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                meeting=meeting, recurrence_id=occurrence.recurrence_id, email=address
            )
    except IntegrityError:
        return False
    return True


def send_due_reminders(now=None) -> int:
    """Send every reminder that is due and not sent yet; returns how many this call sent."""
    sent = 0
    for meeting, occurrence in due(now):
        join_url = settings.SITE_URL + meeting.get_join_url()
        for address in recipients(meeting, occurrence):
            if not _claim(meeting, occurrence, address):
                continue
            try:
                emails.send_reminder(
                    meeting, occurrence, address, join_url, is_host=address == meeting.host.email.lower()
                )
            except Exception:
                # Give the claim back, so that the next pass (of any sender) tries again.
                ReminderSent.objects.filter(
                    meeting=meeting, recurrence_id=occurrence.recurrence_id, email=address
                ).delete()
                logger.exception("reminder to %s for %s failed", address, meeting.code)
            else:
                sent += 1
    return sent


def notices_for(user):
    """The in-page notices for a signed-in person: their occurrences whose reminder time has come."""
    now = timezone.now()
    zone = zoneinfo.ZoneInfo(user.time_zone)
    email = user.email.lower()
    meetings = (
        Meeting.objects.open()
        .filter(is_personal_room=False, reminder_minutes__gt=0, starts_at__isnull=False)
        .filter(Q(host=user) | Q(invitations__email=email))
        .filter(
            Q(starts_at__lte=now + LONGEST_REMINDER)
            | Q(occurrence_changes__starts_at__lte=now + LONGEST_REMINDER)
        )
        .distinct()
        .prefetch_related("occurrence_changes")
    )
    notices = []
    for meeting in meetings:
        lead = timedelta(minutes=meeting.reminder_minutes)
        for occurrence in meeting.occurrence_list(after=now - NOTICE_AFTER_START, before=now + lead, limit=2):
            late = now - occurrence.starts_at
            if late > NOTICE_AFTER_START or occurrence.starts_at - now > lead:
                continue
            if meeting.host_id != user.id and services.rsvp_declined(
                meeting, email, occurrence.recurrence_id
            ):
                continue
            local = occurrence.starts_at.astimezone(zone)
            notices.append(
                {
                    "id": f"{meeting.code}/{occurrence.key}",
                    "title": meeting.title,
                    "starts_at": occurrence.starts_at.isoformat(),
                    "starts_in_seconds": int((occurrence.starts_at - now).total_seconds()),
                    "time": f"{local:%H:%M} ({user.time_zone})",
                    "join_url": reverse("meetings:join", args=[meeting.code]),
                }
            )
    notices.sort(key=lambda n: n["starts_at"])
    return notices


# --- Inside the server --------------------------------------------------------------------------------

_task = None


def _send_in_thread():
    """One pass in a worker thread of its own: SMTP may be slow, and must not hold up the thread the
    websocket consumers' database calls share."""
    close_old_connections()
    try:
        return send_due_reminders()
    finally:
        close_old_connections()


async def _remind_forever():
    while True:
        try:
            await sync_to_async(_send_in_thread, thread_sensitive=False)()
        except Exception:  # a database or mail blip must not stop the reminders for good
            logger.exception("sending reminders failed")
        await asyncio.sleep(settings.REMINDERS["INTERVAL"])


def ensure_reminder_task():
    """One reminder task per server process, when REMINDERS_IN_SERVER is on (the default)."""
    global _task
    if not settings.REMINDERS["IN_SERVER"]:
        return
    if _task is None or _task.done():
        _task = asyncio.get_running_loop().create_task(_remind_forever())
