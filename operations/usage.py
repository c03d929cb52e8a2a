"""How the site is used, from the attendance rows: live figures now, and day by day for a week."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from meetings.models import Participant


@dataclass(frozen=True)
class LiveFigures:
    meetings_live: int
    people_in_calls: int
    people_waiting: int


def live_figures() -> LiveFigures:
    """Who is in a call right now: one query over the participant rows the heartbeat keeps honest."""
    counts = Participant.objects.filter(status__in=Participant.ACTIVE).aggregate(
        meetings=Count("meeting", distinct=True, filter=Q(status=Participant.Status.JOINED)),
        joined=Count("pk", filter=Q(status=Participant.Status.JOINED)),
        waiting=Count("pk", filter=Q(status=Participant.Status.WAITING)),
    )
    return LiveFigures(counts["meetings"], counts["joined"], counts["waiting"])


@dataclass(frozen=True)
class DayFigures:
    day: datetime.date
    meetings_held: int
    minutes: int  # minutes spent in calls, added up over everyone
    peak_people: int  # most people in calls at the same moment


def daily_figures(*, days=7, now=None) -> list[DayFigures]:
    """The last `days` days (today included) in the current time zone, oldest first."""
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    today = timezone.localtime(now, zone).date()
    bounds = []
    for offset in range(days - 1, -1, -1):
        day = today - datetime.timedelta(days=offset)
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
        bounds.append((day, start, start + datetime.timedelta(days=1)))
    attendances = list(
        Participant.objects.filter(joined_at__isnull=False, joined_at__lt=bounds[-1][2])
        .filter(Q(left_at__isnull=True) | Q(left_at__gt=bounds[0][1]))
        .values_list("meeting_id", "joined_at", "left_at")
    )
    figures = []
    for day, start, end in bounds:
        intervals = []
        meetings = set()
        for meeting_id, joined_at, left_at in attendances:
            begin, finish = max(joined_at, start), min(left_at or now, end, now)
            if begin < finish:
                intervals.append((begin, finish))
                meetings.add(meeting_id)
        seconds = sum((finish - begin).total_seconds() for begin, finish in intervals)
        figures.append(DayFigures(day, len(meetings), round(seconds / 60), peak_overlap(intervals)))
    return figures


def peak_overlap(intervals):
    """The most intervals that cover one moment (an end and a start at the same instant don't overlap)."""
    events = sorted([(begin, 1) for begin, _ in intervals] + [(finish, -1) for _, finish in intervals])
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


CHART_WIDTH = 336
CHART_HEIGHT = 120
BAR_GAP = 8


def bar_chart(values, labels):
    """Geometry of a bar chart for an inline SVG: the template draws it, no script needed."""
    top = max(values, default=0) or 1
    slot = CHART_WIDTH / max(len(values), 1)
    bars = []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        height = round(CHART_HEIGHT * value / top, 1)
        bars.append(
            {
                "value": value,
                "label": label,
                "x": round(index * slot + BAR_GAP / 2, 1),
                "y": round(CHART_HEIGHT - height, 1),
                "width": round(slot - BAR_GAP, 1),
                "height": height,
                "center": round(index * slot + slot / 2, 1),
            }
        )
    return {"bars": bars, "width": CHART_WIDTH, "height": CHART_HEIGHT, "max": max(values, default=0)}
