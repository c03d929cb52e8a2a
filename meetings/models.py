import secrets
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dateutil import rrule
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import validate_time_zone

from .codes import random_meeting_code

# A full mesh sends every stream to every peer: with n people each uplink carries n-1 copies, so
# past about 8 people a typical home connection saturates (docs/architecture.md). With a media server
# (JANUS_SERVERS) each browser sends once and a meeting may be far larger.
DEFAULT_MAX_PARTICIPANTS = 8
MAX_PARTICIPANTS_LIMIT = 12
SFU_DEFAULT_MAX_PARTICIPANTS = 50
SFU_MAX_PARTICIPANTS_LIMIT = 100  # also the database's bound, whatever the settings


def max_participants_bounds():
    """(default, largest) people per meeting on this site: the one rule the model, the form and the
    database's range agree on. Larger only with a media server configured."""
    if settings.JANUS_SERVERS:
        return SFU_DEFAULT_MAX_PARTICIPANTS, SFU_MAX_PARTICIPANTS_LIMIT
    return DEFAULT_MAX_PARTICIPANTS, MAX_PARTICIPANTS_LIMIT


def default_max_participants():
    return max_participants_bounds()[0]


def validate_max_participants(value):
    largest = max_participants_bounds()[1]
    if not 2 <= value <= largest:
        raise ValidationError(f"A meeting holds 2 to {largest} people on this site.", code="max_participants")


# Minutes before each occurrence: when the reminder goes out, and when the room opens to guests.
MINUTES_BEFORE_CHOICES = [
    (0, "At the start"),
    (5, "5 minutes before"),
    (10, "10 minutes before"),
    (15, "15 minutes before"),
    (30, "30 minutes before"),
    (60, "1 hour before"),
]
REMINDER_CHOICES = [(0, "No reminder"), *MINUTES_BEFORE_CHOICES[1:]]


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a meeting. recurrence_id is the start its rule gives (RFC 5545 RECURRENCE-ID),
    which names it for good; starts_at differs when the host moved it."""

    recurrence_id: datetime
    starts_at: datetime
    duration: timedelta
    moved: bool = False
    cancelled: bool = False

    @property
    def ends_at(self):
        return self.starts_at + self.duration

    @property
    def key(self):
        """The occurrence's name in URLs and tokens: its RECURRENCE-ID in UTC."""
        return occurrence_key(self.recurrence_id)


def occurrence_key(recurrence_id):
    return recurrence_id.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_occurrence_key(key):
    """The RECURRENCE-ID an occurrence key names; ValueError for anything else."""
    return datetime.strptime(key, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def new_peer_id():
    return secrets.token_urlsafe(16)


def default_media_state():
    return {"audio": True, "video": True, "screen": False, "hand": False}


class MeetingQuerySet(models.QuerySet):
    def open(self):
        """Meetings people can still join: not cancelled and not ended."""
        return self.exclude(state__in=[Meeting.State.CANCELLED, Meeting.State.ENDED])

    def with_live_count(self):
        """Each meeting with `live_count`, how many are in its call now (the admin's list shows it)."""
        joined = Q(participants__status=Participant.Status.JOINED)
        return self.annotate(live_count=models.Count("participants", filter=joined))


class Meeting(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"
        CANCELLED = "cancelled", "Cancelled"

    class Recurrence(models.TextChoices):
        NONE = "", "Does not repeat"
        DAILY = "daily", "Every day"
        WEEKDAYS = "weekdays", "Every weekday (Monday to Friday)"
        WEEKLY = "weekly", "Every week"
        MONTHLY = "monthly", "Every month"

    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hosted_meetings"
    )
    code = models.CharField("meeting ID", max_length=32, unique=True, default=random_meeting_code)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    passcode = models.CharField(max_length=32, blank=True)

    starts_at = models.DateTimeField("start", null=True, blank=True)
    duration = models.DurationField(default=timedelta(hours=1))
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    recurrence = models.CharField(max_length=16, choices=Recurrence.choices, blank=True, default="")
    rrule = models.CharField(
        "RRULE", max_length=255, blank=True, help_text="RFC 5545 recurrence rule, derived from the form."
    )

    allow_guests = models.BooleanField("allow guests without an account", default=True)
    join_before_host = models.BooleanField(default=False)
    waiting_room = models.BooleanField(default=False)
    mute_on_entry = models.BooleanField("mute participants on entry", default=False)
    max_participants = models.PositiveSmallIntegerField(
        default=default_max_participants, validators=[validate_max_participants]
    )
    always_sfu = models.BooleanField(
        "always use the media server",
        default=False,
        help_text="Send video through the media server from the first person on (a webinar), not only "
        "once the meeting grows. Only with a media server configured.",
    )
    hide_network_addresses = models.BooleanField(
        "hide participants' network addresses from each other",
        default=False,
        help_text="Calls go through the site's relay server, so nobody learns another person's IP address.",
    )
    is_personal_room = models.BooleanField(default=False)
    reminder_minutes = models.PositiveSmallIntegerField(
        "reminder",
        choices=REMINDER_CHOICES,
        default=10,
        help_text="An email (and a notice on the site) to the host and to invitees who did not decline.",
    )
    open_minutes_before = models.PositiveSmallIntegerField(
        "room opens",
        choices=MINUTES_BEFORE_CHOICES,
        default=10,
        help_text="Before this, guests see a countdown; the host can always enter.",
    )
    live_occurrence = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="RECURRENCE-ID of the occurrence held now (or last)."
    )
    locked = models.BooleanField(default=False)
    allowed_domains = models.CharField(
        "allowed email domains",
        max_length=500,
        blank=True,
        help_text="Signed-in people with an address at these domains (comma-separated) skip the "
        "waiting room, like invitees.",
    )

    state = models.CharField(max_length=16, choices=State.choices, default=State.SCHEDULED)
    state_changed_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    ical_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["host"], condition=Q(is_personal_room=True), name="meetings_one_personal_room"
            ),
            models.CheckConstraint(
                condition=Q(code=models.functions.Lower("code")), name="meetings_code_lower_case"
            ),
            models.CheckConstraint(
                condition=Q(max_participants__gte=2) & Q(max_participants__lte=SFU_MAX_PARTICIPANTS_LIMIT),
                name="meetings_max_participants_range",
            ),
        ]
        indexes = [
            models.Index(fields=["host", "state", "starts_at"], name="meetings_host_state_start"),
            models.Index(fields=["state", "starts_at"], name="meetings_state_start"),
        ]

    def __str__(self):
        return f"{self.title} ({self.code})"

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.code])

    def get_join_url(self):
        return reverse("meetings:join", args=[self.code])

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_open(self):
        return self.state not in (self.State.CANCELLED, self.State.ENDED)

    @property
    def is_recurring(self):
        return bool(self.rrule)

    @property
    def ends_at(self):
        return self.starts_at + self.duration if self.starts_at else None

    def occurrences(self, after=None, before=None, limit=50):
        """Start times (aware, UTC) of this meeting's occurrences that overlap [after, before)."""
        return [o.starts_at for o in self.occurrence_list(after=after, before=before, limit=limit)]

    def occurrence_list(self, after=None, before=None, limit=50, *, include_cancelled=False):
        """The Occurrences that overlap [after, before), in start order, with the host's single
        changes applied: a cancelled one is left out (unless asked for), a moved one is at its new time.

        Recurrence is expanded in the meeting's own time zone so a weekly 10:00 stays 10:00 local
        across a daylight-saving change, as RFC 5545 requires for a DTSTART with a TZID.
        """
        if self.starts_at is None:
            return []
        after = after or timezone.now()
        changes = {c.recurrence_id: c for c in self._occurrence_changes()}

        def overlaps(occurrence):
            return occurrence.ends_at > after and (before is None or occurrence.starts_at < before)

        found = [
            Occurrence(start, start, self.duration)
            for start in self._rule_starts(after, before, limit + len(changes))
            if start not in changes
        ]
        # A moved occurrence may have come into the range from outside it, or left it.
        found += [c.occurrence(self) for c in changes.values() if include_cancelled or not c.cancelled]
        found = sorted((o for o in found if overlaps(o)), key=lambda o: (o.starts_at, o.recurrence_id))
        return found[:limit]

    def _occurrence_changes(self):
        if self.pk is None or not self.rrule:
            return []
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "occurrence_changes" in cache:
            return list(cache["occurrence_changes"])
        return list(self.occurrence_changes.all())

    def _rule_starts(self, after, before, limit):
        """The rule's own starts (UTC) of occurrences that may overlap [after, before)."""
        if not self.rrule:
            return [self.starts_at]
        found = []
        for local in self._local_rule().xafter(after - self.duration, inc=False):
            start = local.astimezone(UTC)
            if (before is not None and start >= before) or len(found) >= limit:
                break
            found.append(start)
        return found

    def is_rule_start(self, when):
        """True if the rule (or a one-off meeting's start) gives an occurrence at this instant."""
        if self.starts_at is None:
            return False
        if not self.rrule:
            # An instant meeting's start has microseconds; an occurrence key has whole seconds.
            return abs(when - self.starts_at) < timedelta(seconds=1)
        local = when.astimezone(self.zone)
        return any(start == local for start in self._local_rule().between(local, local, inc=True))

    def occurrence(self, recurrence_id, *, include_cancelled=True):
        """The occurrence this RECURRENCE-ID names, or None if the meeting has no such occurrence."""
        if not self.is_rule_start(recurrence_id):
            return None
        if not self.rrule:
            return Occurrence(self.starts_at, self.starts_at, self.duration)
        change = next((c for c in self._occurrence_changes() if c.recurrence_id == recurrence_id), None)
        if change is None:
            return Occurrence(recurrence_id, recurrence_id, self.duration)
        return change.occurrence(self) if include_cancelled or not change.cancelled else None

    def occurrence_for_entry(self, now=None):
        """The occurrence someone entering now takes part in: the one under way or the next one."""
        upcoming = self.occurrence_list(after=now or timezone.now(), limit=1)
        return upcoming[0] if upcoming else None

    def opens_at(self, now=None):
        """When guests may enter for the coming occurrence; None when there is no window to wait for
        (a personal room, an instant meeting, a series that is over)."""
        if self.is_personal_room or self.starts_at is None:
            return None
        occurrence = self.occurrence_for_entry(now)
        if occurrence is None:
            return None
        return occurrence.starts_at - timedelta(minutes=self.open_minutes_before)

    def is_before_window(self, now=None):
        """True while guests must wait for the room to open. A live meeting is open: the host let
        people in early by starting it."""
        now = now or timezone.now()
        if self.state == self.State.LIVE:
            return False
        opens = self.opens_at(now)
        return opens is not None and now < opens

    @property
    def hides_network_addresses(self):
        """Calls of this meeting go through the relay only: the site or the host asked, and TURN is there."""
        from .turn import turn_configured

        return turn_configured() and (settings.HIDE_NETWORK_ADDRESSES or self.hide_network_addresses)

    @property
    def has_invite_list(self):
        """With invitees or allowed domains, everyone else knocks at the waiting room."""
        return bool(self.allowed_domains.strip()) or self.invitations.exists()

    def is_invited(self, user):
        """An invitee (by email) or a member of an allowed domain; guests never are."""
        if user is None or not user.is_authenticated:
            return False
        email = user.email.lower()
        domains = {d.strip().lower().lstrip("@") for d in self.allowed_domains.split(",") if d.strip()}
        return email.rsplit("@", 1)[-1] in domains or self.invitations.filter(email=email).exists()

    def last_occurrence(self):
        """The start of the final occurrence, or None for an open-ended series."""
        if self.starts_at is None or not self.rrule:
            return self.starts_at
        if "COUNT=" not in self.rrule and "UNTIL=" not in self.rrule:
            return None
        last = None
        for last in self._local_rule():  # noqa: B007 - bounded by COUNT or UNTIL
            pass
        return last

    def _local_rule(self):
        """The RRULE anchored on the start in the meeting's zone: each occurrence keeps the local
        wall-clock time, and the UNTIL (UTC in the RRULE) is compared as the instant it is."""
        return rrule.rrulestr(self.rrule, dtstart=self.starts_at.astimezone(self.zone))


class OccurrenceChange(models.Model):
    """One occurrence of a series that differs from its rule: cancelled (EXDATE) or moved
    (a RECURRENCE-ID override). `sequence` is the SEQUENCE its calendar entry carries."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="occurrence_changes")
    recurrence_id = models.DateTimeField(help_text="The start the rule gives this occurrence.")
    cancelled = models.BooleanField(default=False)
    starts_at = models.DateTimeField(null=True, blank=True, help_text="The new start, if moved.")
    duration = models.DurationField(null=True, blank=True, help_text="The new length, if changed.")
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["recurrence_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "recurrence_id"], name="meetings_occurrence_change_unique"
            ),
        ]

    def __str__(self):
        return f"{self.meeting.code} {occurrence_key(self.recurrence_id)}"

    def occurrence(self, meeting):
        return Occurrence(
            self.recurrence_id,
            self.starts_at or self.recurrence_id,
            self.duration or meeting.duration,
            moved=self.starts_at is not None and self.starts_at != self.recurrence_id,
            cancelled=self.cancelled,
        )


class Rsvp(models.Model):
    """An invitee's answer, for one occurrence or (recurrence_id empty) for the whole series."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        MAYBE = "maybe", "Maybe"
        NO = "no", "No"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    email = models.EmailField()
    recurrence_id = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=8, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email", "recurrence_id"],
                condition=Q(recurrence_id__isnull=False),
                name="meetings_rsvp_one_per_occurrence",
            ),
            models.UniqueConstraint(
                fields=["meeting", "email"],
                condition=Q(recurrence_id__isnull=True),
                name="meetings_rsvp_one_per_series",
            ),
        ]

    def __str__(self):
        return f"{self.email}: {self.answer}"


class ReminderSent(models.Model):
    """A reminder mail for one occurrence and one recipient. The unique row is the claim: whichever
    sender inserts it first sends the mail, so it goes out once however many senders run."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders_sent")
    recurrence_id = models.DateTimeField()
    email = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "recurrence_id", "email"], name="meetings_reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.email} for {self.meeting.code} {occurrence_key(self.recurrence_id)}"


def new_feed_key():
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's secret calendar subscription. Resetting replaces the key, so the old URL is dead."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=64, unique=True, default=new_feed_key)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar feed of {self.user}"

    SALT = "meetings.calendar_feed"

    @property
    def token(self):
        """The key and its signature, as the feed's URL carries them: a changed URL fails the
        signature before any lookup, and a reset key matches no row."""
        return signing.Signer(salt=self.SALT).sign(self.key)

    @classmethod
    def key_from_token(cls, token):
        """The key a URL token carries; signing.BadSignature if it was changed."""
        return signing.Signer(salt=cls.SALT).unsign(token)


class Invitation(models.Model):
    """An address the host invited: it got the link and the calendar file, and hears of changes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "email"], name="meetings_invitation_unique"),
        ]

    def __str__(self):
        return self.email


class ParticipantQuerySet(models.QuerySet):
    def joined(self):
        return self.filter(status=Participant.Status.JOINED)


class Participant(models.Model):
    """One person's one attendance of a meeting: the attendance record."""

    class Role(models.TextChoices):
        HOST = "host", "Host"
        COHOST = "cohost", "Co-host"
        GUEST = "guest", "Guest"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        JOINED = "joined", "Joined"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"
        DENIED = "denied", "Denied"

    ACTIVE = (Status.WAITING, Status.JOINED)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
    )
    display_name = models.CharField(max_length=80)
    peer_id = models.CharField(max_length=32, unique=True, default=new_peer_id, editable=False)
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.GUEST)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    occurrence = models.DateTimeField(
        null=True,
        blank=True,
        help_text="RECURRENCE-ID of the occurrence attended (empty: a room without a schedule).",
    )

    # Live-call bookkeeping (meetings/room.py). Presence is decided by these rows, not by channel
    # groups: a row whose heartbeat stops is pruned even if its server died without a word.
    ticket_nonce = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)
    client_key = models.CharField(max_length=64, blank=True, editable=False)
    channel_name = models.CharField(max_length=200, blank=True, editable=False)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    resume_token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    admitted_at = models.DateTimeField(null=True, blank=True)
    media = models.JSONField(default=default_media_state, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["meeting", "status"], name="meetings_participant_status"),
            models.Index(fields=["status", "last_seen_at"], name="meetings_participant_seen"),
        ]

    def __str__(self):
        return f"{self.display_name} in {self.meeting.code}"

    @property
    def can_moderate(self):
        return self.role in (self.Role.HOST, self.Role.COHOST)

    @property
    def duration(self):
        if self.joined_at is None:
            return None
        return (self.left_at or timezone.now()) - self.joined_at


class ChatMessage(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="chat_messages")
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, related_name="chat_messages"
    )
    sender_name = models.CharField(max_length=80)
    text = models.TextField(max_length=2000)
    sent_at = models.DateTimeField(default=timezone.now)
    occurrence = models.DateTimeField(null=True, blank=True, help_text="RECURRENCE-ID of the occurrence.")

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["meeting", "sent_at"], name="meetings_chat_meeting_sent")]

    def __str__(self):
        return f"{self.sender_name}: {self.text[:40]}"


def aware(local_date, local_time, zone_name):
    """Combine a wall-clock date and time in a named zone into an aware datetime."""
    return datetime.combine(local_date, local_time).replace(tzinfo=zoneinfo.ZoneInfo(zone_name))


class MeetingEvent(models.Model):
    """The audit trail: who did what in a meeting, and when. Never edited, pruned by retention."""

    class Kind(models.TextChoices):
        STARTED = "started", "Meeting started"
        JOINED = "joined", "Joined"
        LEFT = "left", "Left"
        KNOCKED = "knocked", "Knocked"
        ADMITTED = "admitted", "Admitted"
        DENIED = "denied", "Denied"
        REMOVED = "removed", "Removed"
        MADE_COHOST = "made_cohost", "Made co-host"
        LOCKED = "locked", "Locked the meeting"
        UNLOCKED = "unlocked", "Unlocked the meeting"
        ENDED = "ended", "Ended the meeting"
        CANCELLED = "cancelled", "Cancelled the meeting"
        TIMED_OUT = "timed_out", "Connection lost"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor_name = models.CharField(max_length=80, blank=True, help_text="Who did it (empty: the system).")
    actor = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subject_name = models.CharField(max_length=80, blank=True, help_text="Whom it was done to.")
    subject = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["meeting", "created_at"], name="meetings_event_meeting_time")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.describe()}"

    def describe(self):
        who = self.actor_name or "The system"
        text = {
            self.Kind.JOINED: f"{self.subject_name} joined",
            self.Kind.LEFT: f"{self.subject_name} left",
            self.Kind.KNOCKED: f"{self.subject_name} knocked",
            self.Kind.TIMED_OUT: f"{self.subject_name} lost the connection",
            self.Kind.ADMITTED: f"{who} admitted {self.subject_name}",
            self.Kind.DENIED: f"{who} denied {self.subject_name}",
            self.Kind.REMOVED: f"{who} removed {self.subject_name}",
            self.Kind.MADE_COHOST: f"{who} made {self.subject_name} co-host",
        }.get(self.kind)
        return text or f"{who}: {self.get_kind_display().lower()}"


def record_event(meeting, kind, *, actor=None, subject=None, actor_name=None):
    """Add a line to a meeting's audit trail (inside the caller's transaction)."""
    return MeetingEvent.objects.create(
        meeting=meeting,
        kind=kind,
        actor=actor,
        actor_name=actor_name if actor_name is not None else (actor.display_name if actor else ""),
        subject=subject,
        subject_name=subject.display_name if subject else "",
    )


class SfuRoom(models.Model):
    """Where a meeting's media goes once it moved to the SFU: one Janus server and a room there.

    One row per meeting, so every daphne process finds the same server (sticky placement); it goes
    when the meeting empties or ends, and the room with it. The room's secret is derived from the
    site's secret key (meetings.sfu), never stored and never sent to a browser.
    """

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="sfu_room")
    server = models.CharField(max_length=200, help_text="The name of its entry in JANUS_SERVERS.")
    room_id = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.meeting.code} on {self.server} (room {self.room_id})"


class SfuGrant(models.Model):
    """An admitted participant's right to publish to and watch their meeting's SFU room.

    The Janus token itself is not stored: it is an HMAC of these columns under the site's secret key,
    so the site can name it again to revoke it. No row, no token: someone waiting never has one.
    """

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="sfu_grant")
    sfu_room = models.ForeignKey(SfuRoom, on_delete=models.CASCADE, related_name="grants")
    feed_id = models.BigIntegerField(help_text="The publisher ID this participant joins the room with.")
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"{self.participant} in {self.sfu_room}"
