"""Expanding a series into occurrences, in the meeting's own time zone."""

from datetime import UTC, date, datetime, timedelta

from django.urls import reverse

from meetings.models import Meeting
from meetings.services import recurrence_rrule

from .helpers import last_sunday_of_march, paris, schedule_data


def series(start, recurrence, *, until=None, count=None, duration=timedelta(hours=1)):
    """An unsaved meeting: occurrences() needs no database."""
    rule = recurrence_rrule(recurrence=recurrence, starts_at_local=start, until=until, count=count)
    return Meeting(starts_at=start, duration=duration, time_zone=str(start.tzinfo), rrule=rule)


def all_occurrences(meeting):
    return meeting.occurrences(after=meeting.starts_at - timedelta(seconds=1), limit=500)


def test_weekly_meeting_keeps_local_time_across_the_spring_dst_change():
    # 2030: the clocks go forward on Sunday 31 March.
    meeting = series(paris(date(2030, 3, 19), 10), "weekly", count=4)

    starts = all_occurrences(meeting)

    assert [start.astimezone(meeting.zone).hour for start in starts] == [10, 10, 10, 10]
    assert [start.astimezone(UTC).hour for start in starts] == [9, 9, 8, 8]
    assert [start.date() for start in starts] == [
        date(2030, 3, 19),
        date(2030, 3, 26),
        date(2030, 4, 2),
        date(2030, 4, 9),
    ]


def test_weekly_meeting_keeps_local_time_across_the_autumn_dst_change():
    # 2030: the clocks go back on Sunday 27 October.
    meeting = series(paris(date(2030, 10, 22), 10), "weekly", count=2)

    assert [start.astimezone(UTC).hour for start in all_occurrences(meeting)] == [8, 9]


def test_scheduled_weekly_meeting_across_dst_keeps_ten_oclock_in_paris(alice_client):
    year = datetime.now().year + 1
    tuesday_before = last_sunday_of_march(year) - timedelta(days=5)

    alice_client.post(
        reverse("meetings:schedule"),
        schedule_data(date=tuesday_before.isoformat(), recurrence="weekly", recurrence_count="3"),
    )

    meeting = Meeting.objects.get()
    starts = all_occurrences(meeting)
    assert [start.astimezone(UTC).hour for start in starts] == [9, 8, 8]
    assert {start.astimezone(meeting.zone).hour for start in starts} == {10}


def test_weekday_series_skips_weekends():
    friday = date(2030, 1, 4)
    meeting = series(paris(friday, 9), "weekdays", count=6)

    starts = [start.astimezone(meeting.zone).date() for start in all_occurrences(meeting)]

    assert starts == [date(2030, 1, d) for d in (4, 7, 8, 9, 10, 11)]
    assert all(day.weekday() < 5 for day in starts)


def test_daily_series_has_one_occurrence_a_day():
    meeting = series(paris(date(2030, 1, 1), 8), "daily", count=3)

    assert [s.astimezone(meeting.zone).day for s in all_occurrences(meeting)] == [1, 2, 3]


def test_monthly_series_falls_on_the_same_day_of_the_month():
    meeting = series(paris(date(2030, 1, 15), 14), "monthly", count=4)

    starts = [s.astimezone(meeting.zone) for s in all_occurrences(meeting)]

    assert [(s.month, s.day, s.hour) for s in starts] == [(1, 15, 14), (2, 15, 14), (3, 15, 14), (4, 15, 14)]


def test_until_date_is_inclusive():
    meeting = series(paris(date(2030, 1, 7), 10), "daily", until=date(2030, 1, 10))

    starts = [s.astimezone(meeting.zone).date() for s in all_occurrences(meeting)]

    assert starts == [date(2030, 1, 7), date(2030, 1, 8), date(2030, 1, 9), date(2030, 1, 10)]
    assert meeting.last_occurrence().astimezone(meeting.zone).date() == date(2030, 1, 10)


def test_until_date_includes_a_late_evening_meeting_on_that_day():
    meeting = series(paris(date(2030, 1, 7), 23, 30), "daily", until=date(2030, 1, 10))

    starts = [s.astimezone(meeting.zone).date() for s in all_occurrences(meeting)]

    assert starts[-1] == date(2030, 1, 10)
    assert meeting.last_occurrence().astimezone(meeting.zone) == paris(date(2030, 1, 10), 23, 30)


def test_until_date_west_of_utc_adds_no_occurrence_on_the_next_day():
    import zoneinfo

    start = datetime(2030, 1, 7, 2, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    meeting = series(start, "daily", until=date(2030, 1, 10))

    starts = [s.astimezone(meeting.zone).date() for s in all_occurrences(meeting)]

    assert starts == [date(2030, 1, 7), date(2030, 1, 8), date(2030, 1, 9), date(2030, 1, 10)]


def test_occurrences_are_limited_to_the_window():
    meeting = series(paris(date(2030, 1, 1), 10), "daily", count=30)

    starts = meeting.occurrences(after=paris(date(2030, 1, 10), 12), before=paris(date(2030, 1, 13), 0))

    assert [s.astimezone(meeting.zone).day for s in starts] == [11, 12]


def test_occurrence_in_progress_still_counts():
    meeting = series(paris(date(2030, 1, 1), 10), "daily", count=5)

    starts = meeting.occurrences(after=paris(date(2030, 1, 2), 10, 30), limit=1)

    assert starts == [paris(date(2030, 1, 2), 10)]


def test_open_ended_series_has_no_last_occurrence():
    meeting = series(paris(date(2030, 1, 1), 10), "weekly")

    assert meeting.last_occurrence() is None
    assert len(meeting.occurrences(after=meeting.starts_at, limit=5)) == 5


def test_count_series_ends_after_count_occurrences():
    meeting = series(paris(date(2030, 1, 1), 10), "weekly", count=3)

    assert len(all_occurrences(meeting)) == 3
    assert meeting.last_occurrence() == paris(date(2030, 1, 15), 10)
