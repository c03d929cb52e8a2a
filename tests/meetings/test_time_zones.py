"""Every time a person reads is in their own zone with the zone named, across daylight-saving changes."""

import re
import zoneinfo
from datetime import date, time, timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import aware
from meetings.reminders import send_due_reminders
from meetings.services import recurrence_rrule

from .helpers import last_sunday_of_march

BERLIN = "Europe/Berlin"
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def second_sunday_of_march(year):
    first = date(year, 3, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7)


def berlin_weekly_series(alice, first_day, count):
    start = aware(first_day, time(10, 0), BERLIN)
    return services.meeting_create(
        host=alice,
        title="Berlin stand-up",
        starts_at=start,
        time_zone=BERLIN,
        recurrence="weekly",
        rrule=recurrence_rrule(recurrence="weekly", starts_at_local=start, count=count),
    )


def reminder_times(meeting, day):
    """Send the reminders due five minutes before that day's occurrence: {address: (time, zone)} as
    each mail states it."""
    occurrence = next(
        o
        for o in meeting.occurrence_list(after=meeting.starts_at, limit=20)
        if o.starts_at.astimezone(meeting.zone).date() == day
    )
    mail.outbox.clear()
    send_due_reminders(now=occurrence.starts_at - timedelta(minutes=5))
    return {m.to[0]: re.search(r"When: .*?(\d\d:\d\d) \(([\w/]+)\)", m.body).groups() for m in mail.outbox}


def test_berlin_ten_oclock_is_four_or_five_in_new_york_as_each_side_changes_its_clocks(alice, user_factory):
    year = timezone.now().year + 1
    us_change = second_sunday_of_march(year)
    eu_change = last_sunday_of_march(year)
    before_both = us_change - timedelta(days=5)  # a Tuesday: Berlin UTC+1, New York UTC-5
    between = us_change + timedelta(days=2)  # New York is on summer time, Berlin not yet
    after_both = eu_change + timedelta(days=2)
    user_factory("nina@example.org", time_zone="America/New_York")
    meeting = berlin_weekly_series(alice, before_both, count=6)
    services.meeting_invite(
        meeting=meeting, emails_to_invite=["nina@example.org"], join_url="http://testserver/m/x/"
    )

    # The host reads her own zone (Europe/Paris keeps Berlin's clock): 10:00 every week.
    assert reminder_times(meeting, before_both) == {
        "nina@example.org": ("04:00", "America/New_York"),
        "alice@example.org": ("10:00", "Europe/Paris"),
    }
    assert reminder_times(meeting, between) == {
        "nina@example.org": ("05:00", "America/New_York"),
        "alice@example.org": ("10:00", "Europe/Paris"),
    }
    assert reminder_times(meeting, after_both) == {
        "nina@example.org": ("04:00", "America/New_York"),
        "alice@example.org": ("10:00", "Europe/Paris"),
    }


def test_invitation_names_the_invitees_zone_and_the_hosts_time(
    alice, user_factory, django_capture_on_commit_callbacks
):
    user_factory("nina@example.org", time_zone="America/New_York")
    meeting = berlin_weekly_series(alice, date(timezone.now().year + 1, 1, 12), count=3)

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_invite(
            meeting=meeting,
            emails_to_invite=["nina@example.org", "otto@example.org"],
            join_url="http://testserver/m/x/",
        )

    by_address = {m.to[0]: m.body for m in mail.outbox}
    assert "04:00 (America/New_York)" in by_address["nina@example.org"]
    assert "10:00 (Europe/Berlin) for the host" in by_address["nina@example.org"]
    # Without an account, the meeting's own zone.
    assert "10:00 (Europe/Berlin)" in by_address["otto@example.org"]


def test_pages_show_times_in_the_viewers_zone_with_the_zone_named(alice_client, alice):
    meeting = berlin_weekly_series(alice, date(timezone.now().year + 1, 1, 12), count=3)

    detail = alice_client.get(reverse("meetings:detail", args=[meeting.code])).content.decode()
    home = alice_client.get(reverse("home")).content.decode()

    assert "10:00 (Europe/Paris)" in detail
    assert "Scheduled in Europe/Berlin" in detail
    assert "Times in Europe/Paris" in home
