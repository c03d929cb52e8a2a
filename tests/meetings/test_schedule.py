from datetime import UTC, date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting

from .helpers import next_january_15, schedule_data


def schedule(client, **overrides):
    return client.post(reverse("meetings:schedule"), schedule_data(**overrides))


def form_errors(response):
    assert response.status_code == 200, "the form should be shown again"
    return response.context["form"].errors


def test_schedule_requires_login(client, db):
    response = client.get(reverse("meetings:schedule"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_schedule_form_says_which_time_zone_times_are_in(alice_client):
    response = alice_client.get(reverse("meetings:schedule"))

    assert response.status_code == 200
    assert "Times are in Europe/Paris" in response.content.decode()


def test_scheduled_meeting_belongs_to_the_host_and_opens_its_page(alice_client, alice):
    response = schedule(alice_client, title="Planning", description="Roadmap")

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:detail", args=[meeting.code])
    assert meeting.host == alice
    assert meeting.title == "Planning"
    assert meeting.description == "Roadmap"
    assert meeting.state == Meeting.State.SCHEDULED
    assert meeting.duration == timedelta(minutes=60)
    assert meeting.max_participants == 8
    assert meeting.allow_guests
    assert not meeting.join_before_host
    assert meeting.rrule == ""


def test_scheduled_time_is_read_in_the_hosts_time_zone(alice_client):
    schedule(alice_client, time="10:00")

    meeting = Meeting.objects.get()
    assert meeting.time_zone == "Europe/Paris"
    utc_start = meeting.starts_at.astimezone(UTC)
    assert utc_start.date() == next_january_15()
    assert (utc_start.hour, utc_start.minute) == (9, 0)


def test_scheduled_time_for_a_utc_member_is_stored_unchanged(client_for, bob):
    schedule(client_for(bob), time="10:00")

    assert Meeting.objects.get().starts_at.astimezone(UTC).hour == 10


def test_meeting_in_the_past_is_refused(alice_client):
    yesterday = timezone.now().date() - timedelta(days=1)

    response = schedule(alice_client, date=yesterday.isoformat())

    assert "A meeting must start in the future." in form_errors(response)["time"]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("minutes", ["4", "1441", "0", "-30"])
def test_duration_out_of_bounds_is_refused(alice_client, minutes):
    response = schedule(alice_client, duration_minutes=minutes)

    assert "duration_minutes" in form_errors(response)
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("minutes", ["5", "1440"])
def test_duration_at_the_bounds_is_accepted(alice_client, minutes):
    schedule(alice_client, duration_minutes=minutes)

    assert Meeting.objects.get().duration == timedelta(minutes=int(minutes))


@pytest.mark.parametrize("passcode", ["abc", "a" * 33, "with space", "pass-word", "pässword"])
def test_invalid_passcode_is_refused(alice_client, passcode):
    response = schedule(alice_client, passcode=passcode)

    assert "passcode" in form_errors(response)
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("passcode", ["abcd", "Secret42", "x" * 32])
def test_valid_passcode_is_kept(alice_client, passcode):
    schedule(alice_client, passcode=passcode)

    assert Meeting.objects.get().passcode == passcode


@pytest.mark.parametrize("size", ["1", "13", "0"])
def test_max_participants_out_of_range_is_refused(alice_client, size):
    response = schedule(alice_client, max_participants=size)

    assert "max_participants" in form_errors(response)


def test_weekly_recurrence_with_a_count_becomes_an_rrule(alice_client):
    tuesday = next_january_15() + timedelta(days=(1 - next_january_15().weekday()) % 7)

    schedule(alice_client, date=tuesday.isoformat(), recurrence="weekly", recurrence_count="10")

    meeting = Meeting.objects.get()
    assert meeting.recurrence == "weekly"
    assert meeting.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=10"
    assert meeting.is_recurring


@pytest.mark.parametrize(
    "recurrence, rrule",
    [
        ("daily", "FREQ=DAILY;COUNT=3"),
        ("weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=3"),
        ("monthly", "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=3"),
    ],
)
def test_each_recurrence_choice_becomes_its_rrule(alice_client, recurrence, rrule):
    schedule(alice_client, recurrence=recurrence, recurrence_count="3")

    assert Meeting.objects.get().rrule == rrule


def test_recurrence_until_becomes_an_utc_until_at_the_end_of_that_local_day(alice_client):
    until = next_january_15() + timedelta(days=20)

    schedule(alice_client, recurrence="daily", recurrence_until=until.isoformat())

    # 23:59:59 in Paris (UTC+1 in winter) is 22:59:59 UTC.
    assert Meeting.objects.get().rrule == f"FREQ=DAILY;UNTIL={until:%Y%m%d}T225959Z"


def test_recurrence_with_both_until_and_count_is_refused(alice_client):
    until = next_january_15() + timedelta(days=20)

    response = schedule(
        alice_client, recurrence="weekly", recurrence_until=until.isoformat(), recurrence_count="5"
    )

    assert "not both" in form_errors(response)["recurrence_count"][0]
    assert not Meeting.objects.exists()


def test_recurrence_until_before_the_first_meeting_is_refused(alice_client):
    response = schedule(
        alice_client,
        recurrence="weekly",
        recurrence_until=(next_january_15() - timedelta(days=1)).isoformat(),
    )

    assert "recurrence_until" in form_errors(response)


def test_recurrence_longer_than_three_years_is_refused(alice_client):
    response = schedule(
        alice_client,
        recurrence="daily",
        recurrence_until=date(next_january_15().year + 4, 1, 15).isoformat(),
    )

    assert "at most three years" in form_errors(response)["recurrence_until"][0]


@pytest.mark.parametrize("count", ["1", "501"])
def test_recurrence_count_out_of_range_is_refused(alice_client, count):
    response = schedule(alice_client, recurrence="daily", recurrence_count=count)

    assert "recurrence_count" in form_errors(response)


def test_recurrence_end_without_a_recurrence_is_refused(alice_client):
    response = schedule(alice_client, recurrence="", recurrence_count="5")

    assert "recurrence" in form_errors(response)
    assert not Meeting.objects.exists()


def test_meeting_without_recurrence_has_no_rrule_and_one_occurrence(alice_client):
    schedule(alice_client)

    meeting = Meeting.objects.get()
    assert meeting.occurrences() == [meeting.starts_at]
    assert meeting.last_occurrence() == meeting.starts_at


def test_missing_title_is_refused(alice_client):
    response = schedule(alice_client, title="")

    assert "title" in form_errors(response)
