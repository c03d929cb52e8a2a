import re
from datetime import UTC, datetime, timedelta

from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.utils import timezone

from accounts.names import clean_display_name

from .codes import code_from_user_input, normalize_meeting_code, validate_custom_code
from .janus import janus_configured
from .models import Meeting, aware, max_participants_bounds
from .services import recurrence_rrule
from .turn import turn_configured

PASSCODE_RE = re.compile(r"^[A-Za-z0-9]{4,32}$")
MAX_INVITES = 50


def _series_end(meeting):
    """The form's end fields for a saved RRULE, so that an edit does not drop them."""
    parts = dict(part.split("=", 1) for part in meeting.rrule.split(";") if "=" in part)
    if "COUNT" in parts:
        return {"recurrence_count": int(parts["COUNT"])}
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return {"recurrence_until": until.astimezone(meeting.zone).date()}
    return {}


class MeetingForm(forms.ModelForm):
    """Schedule or edit a meeting; the date and time are wall-clock values in the host's time zone."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=5, max_value=24 * 60, initial=60
    )
    custom_code = forms.CharField(
        label="Custom meeting ID",
        required=False,
        max_length=32,
        help_text="Optional, e.g. csc342. Leave empty for a random ID that is hard to guess.",
    )
    recurrence_until = forms.DateField(
        label="Repeat until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    recurrence_count = forms.IntegerField(
        label="Or number of times", required=False, min_value=2, max_value=500
    )

    class Meta:
        model = Meeting
        fields = [
            "title",
            "description",
            "passcode",
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
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "passcode": "Optional: 4 to 32 letters or digits that people must type to join.",
        }

    # A personal room has no time: it is always open, and its link never changes.
    PERSONAL_ROOM_HIDDEN = [
        "date",
        "time",
        "duration_minutes",
        "custom_code",
        "recurrence",
        "recurrence_until",
        "recurrence_count",
        "reminder_minutes",
        "open_minutes_before",
    ]

    def __init__(self, *args, host, **kwargs):
        self.host = host
        super().__init__(*args, **kwargs)
        self.zone_name = self.instance.time_zone if self.instance.pk else host.time_zone
        self.is_personal_room = self.instance.is_personal_room
        self._describe_size()
        for name in ("reminder_minutes", "open_minutes_before"):
            self.fields[name].required = False  # left out: the model's default
        if not turn_configured() or settings.HIDE_NETWORK_ADDRESSES:
            # Without a relay, hidden addresses would mean no call at all; with the site's setting on,
            # every meeting hides them already.
            del self.fields["hide_network_addresses"]
        if self.is_personal_room:
            for name in self.PERSONAL_ROOM_HIDDEN:
                del self.fields[name]
            return
        self.fields["title"].widget.attrs["placeholder"] = "Weekly team sync"
        if self.instance.pk:
            if self.instance.starts_at:
                local = self.instance.starts_at.astimezone(self.instance.zone)
                self.initial.setdefault("date", local.date())
                self.initial.setdefault("time", local.time().replace(second=0, microsecond=0))
            self.initial.setdefault("duration_minutes", int(self.instance.duration.total_seconds() // 60))
            self.initial.setdefault("custom_code", self.instance.code)
            for name, value in _series_end(self.instance).items():
                self.initial.setdefault(name, value)
            self.fields["custom_code"].label = "Meeting ID"
            self.fields["custom_code"].help_text = "Changing it changes the join link."

    def _describe_size(self):
        largest = max_participants_bounds()[1]
        if janus_configured():
            text = (
                f"2 to {largest}; small meetings go browser to browser, larger ones through the media server."
            )
        else:
            text = f"2 to {largest}; video goes browser to browser, so every extra person costs each one upload bandwidth."
            del self.fields["always_sfu"]
        self.fields["max_participants"].help_text = text
        self.fields["max_participants"].widget.attrs.update(min=2, max=largest)

    def clean_custom_code(self):
        code = normalize_meeting_code(self.cleaned_data.get("custom_code"))
        if not code or (self.instance.pk and code == self.instance.code):
            return code
        validate_custom_code(code)
        if Meeting.objects.filter(code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("That meeting ID is taken; please choose another.")
        return code

    def clean_allowed_domains(self):
        domains = [
            d.strip().lower().lstrip("@") for d in self.cleaned_data.get("allowed_domains", "").split(",")
        ]
        domains = [d for d in domains if d]
        bad = [d for d in domains if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", d)]
        if bad:
            raise forms.ValidationError("Not a domain: %(list)s", params={"list": ", ".join(bad)})
        return ", ".join(dict.fromkeys(domains))

    def clean_reminder_minutes(self):
        value = self.cleaned_data.get("reminder_minutes")
        return Meeting._meta.get_field("reminder_minutes").default if value in (None, "") else value

    def clean_open_minutes_before(self):
        value = self.cleaned_data.get("open_minutes_before")
        return Meeting._meta.get_field("open_minutes_before").default if value in (None, "") else value

    def clean_passcode(self):
        passcode = self.cleaned_data.get("passcode", "").strip()
        if passcode and not PASSCODE_RE.fullmatch(passcode):
            raise forms.ValidationError("A passcode has 4 to 32 letters or digits.")
        return passcode

    def clean(self):
        cleaned = super().clean()
        if self.is_personal_room:
            return cleaned
        day, at = cleaned.get("date"), cleaned.get("time")
        if day and at:
            starts_at = aware(day, at, self.zone_name)
            # The form has minute precision; an instant meeting's start has seconds.
            previous = self.instance.starts_at if self.instance.pk else None
            moved = previous is None or starts_at != previous.replace(second=0, microsecond=0)
            if moved and starts_at <= timezone.now():
                self.add_error("time", "A meeting must start in the future.")
            cleaned["starts_at"] = starts_at
        recurrence = cleaned.get("recurrence")
        until, count = cleaned.get("recurrence_until"), cleaned.get("recurrence_count")
        if recurrence:
            if until and count:
                self.add_error("recurrence_count", "Choose an end date or a number of times, not both.")
            if until and day and until < day:
                self.add_error("recurrence_until", "The repetition must end after the first meeting.")
            if until and day and until > day + timedelta(days=3 * 366):
                self.add_error("recurrence_until", "Repeat for at most three years.")
        elif until or count:
            self.add_error("recurrence", "Choose how the meeting repeats, or leave the end empty.")
        return cleaned

    def meeting_fields(self):
        """The model fields to create or update the meeting with."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        if self.is_personal_room:
            return data
        starts_at = self.cleaned_data["starts_at"]
        data["starts_at"] = starts_at
        data["duration"] = timedelta(minutes=self.cleaned_data["duration_minutes"])
        data["time_zone"] = self.zone_name
        data["rrule"] = recurrence_rrule(
            recurrence=data["recurrence"],
            starts_at_local=starts_at,
            until=self.cleaned_data.get("recurrence_until"),
            count=self.cleaned_data.get("recurrence_count"),
        )
        if self.cleaned_data.get("custom_code"):
            data["code"] = self.cleaned_data["custom_code"]
        return data


class OccurrenceMoveForm(forms.Form):
    """Another day or time for one occurrence, as wall-clock values in the meeting's zone."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.IntegerField(label="Duration (minutes)", min_value=5, max_value=24 * 60)

    def __init__(self, *args, meeting, occurrence, **kwargs):
        self.meeting = meeting
        local = occurrence.starts_at.astimezone(meeting.zone)
        kwargs.setdefault(
            "initial",
            {
                "date": local.date(),
                "time": local.time().replace(second=0, microsecond=0),
                "duration_minutes": int(occurrence.duration.total_seconds() // 60),
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("time"):
            cleaned["starts_at"] = aware(cleaned["date"], cleaned["time"], self.meeting.time_zone)
            if cleaned["starts_at"] <= timezone.now():
                self.add_error("time", "Move it to a time in the future.")
        if cleaned.get("duration_minutes"):
            cleaned["duration"] = timedelta(minutes=cleaned["duration_minutes"])
        return cleaned


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Separate addresses with commas, spaces or new lines.",
    )

    def clean_emails(self):
        addresses = [a for a in re.split(r"[\s,;]+", self.cleaned_data["emails"]) if a]
        if len(addresses) > MAX_INVITES:
            raise forms.ValidationError(f"Invite at most {MAX_INVITES} people at a time.")
        invalid = []
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                invalid.append(address)
        if invalid:
            raise forms.ValidationError("Not an email address: %(list)s", params={"list": ", ".join(invalid)})
        return list(dict.fromkeys(a.lower() for a in addresses))


class JoinCodeForm(forms.Form):
    code = forms.CharField(label="Meeting ID or link", max_length=300)

    def clean_code(self):
        code = code_from_user_input(self.cleaned_data["code"])
        # Anything else (a link to another site, a slash) has no join page to redirect to.
        if not re.fullmatch(r"[a-z0-9-]{1,32}", code):
            raise forms.ValidationError("Type a meeting ID such as kdq-rmtw-vbx, or paste a join link.")
        return code


class PasscodeForm(forms.Form):
    passcode = forms.CharField(
        label="Passcode", max_length=64, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )


class GuestNameForm(forms.Form):
    display_name = forms.CharField(label="Your name", max_length=80)

    def clean_display_name(self):
        if not self.cleaned_data["display_name"].strip():
            raise forms.ValidationError("Please tell the others who you are.")
        return clean_display_name(self.cleaned_data["display_name"])
