"""Reminders: who gets one and when, the in-page notice, and exactly once with senders racing, into a
real SMTP server the test starts (aiosmtpd)."""

import subprocess
import sys
import threading
import time
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from meetings import reminders, services
from meetings.models import ReminderSent
from tests.servers import ROOT, DaphneServer, free_port, server_environment

from .helpers import berlin, berlin_weekly, dst_series_days

JOIN = "http://testserver/m/x/"


@pytest.fixture
def soon(meeting_factory, bob):
    """Starts in 7 minutes with the default 10-minute reminder: due now. bob and otto are invited."""
    meeting = meeting_factory(title="Soon", starts_at=timezone.now() + timedelta(minutes=7))
    services.meeting_invite(meeting=meeting, emails_to_invite=[bob.email, "otto@example.org"], join_url=JOIN)
    mail.outbox.clear()
    return meeting


def recipients_of(outbox):
    return sorted(m.to[0] for m in outbox)


def test_due_reminder_goes_to_the_host_and_invitees_with_the_join_link(soon):
    sent = reminders.send_due_reminders()

    assert sent == 3
    assert recipients_of(mail.outbox) == ["alice@example.org", "bob@example.org", "otto@example.org"]
    message = next(m for m in mail.outbox if m.to == ["bob@example.org"])
    assert message.subject.startswith("[Huddle] Reminder: Soon at ")
    assert f"Join from your browser: http://testserver/m/{soon.code}/" in message.body  # SITE_URL
    assert "/rsvp/" in message.body  # "cannot come after all?" answers No for this occurrence


def test_a_reminder_is_sent_once_however_often_senders_run(soon):
    reminders.send_due_reminders()
    mail.outbox.clear()

    assert reminders.send_due_reminders() == 0
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert mail.outbox == []
    assert ReminderSent.objects.count() == 3


def test_invitees_who_declined_get_no_reminder(soon):
    services.rsvp_answer(meeting=soon, email="otto@example.org", recurrence_id=soon.starts_at, answer="no")

    reminders.send_due_reminders()

    assert recipients_of(mail.outbox) == ["alice@example.org", "bob@example.org"]


def test_no_reminder_before_its_time_after_the_start_or_when_turned_off(meeting_factory):
    meeting_factory(title="Later", starts_at=timezone.now() + timedelta(minutes=11))
    meeting_factory(title="Started", starts_at=timezone.now() - timedelta(minutes=1))
    meeting_factory(title="Off", starts_at=timezone.now() + timedelta(minutes=3), reminder_minutes=0)
    meeting_factory(title="Hour", starts_at=timezone.now() + timedelta(minutes=50), reminder_minutes=60)

    reminders.send_due_reminders()

    assert [m.subject.split(": ")[1].split(" at ")[0] for m in mail.outbox] == ["Hour"]


def test_each_occurrence_of_a_series_gets_its_own_reminder_and_a_cancelled_one_none(alice):
    days = dst_series_days(timezone.now().year + 1)
    series = berlin_weekly(alice, days)
    services.occurrence_cancel(meeting=series, recurrence_id=berlin(days[1], 10), join_url=JOIN)
    services.occurrence_move(
        meeting=series,
        recurrence_id=berlin(days[2], 10),
        starts_at=berlin(days[2], 14),
        duration=timedelta(hours=1),
        join_url=JOIN,
    )

    for moment in [
        berlin(days[0], 9, 55),
        berlin(days[1], 9, 55),
        berlin(days[2], 9, 55),
        berlin(days[2], 13, 55),
    ]:
        reminders.send_due_reminders(now=moment)

    assert sorted(r.recurrence_id for r in ReminderSent.objects.all()) == [
        berlin(days[0], 10),
        berlin(days[2], 10),
    ]
    assert len(mail.outbox) == 2


def test_member_with_the_site_open_gets_an_in_page_notice(soon, client_for, bob, charlie):
    notices = client_for(bob).get(reverse("meetings:reminders_upcoming")).json()["reminders"]

    (notice,) = notices
    assert notice["title"] == "Soon"
    assert notice["join_url"] == f"/m/{soon.code}/"
    assert notice["time"].endswith("(UTC)")
    assert 0 < notice["starts_in_seconds"] <= 7 * 60
    assert client_for(charlie).get(reverse("meetings:reminders_upcoming")).json() == {"reminders": []}


def test_every_page_of_a_member_loads_the_notice_module_without_inline_script(client_for, bob):
    page = client_for(bob).get(reverse("home")).content.decode()

    assert 'id="reminder-notices"' in page and "js/reminders.js" in page
    assert "<script>" not in page


# --- A real SMTP server, and senders racing ----------------------------------------------------------------


class Inbox:
    """aiosmtpd handler keeping every delivered message."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.messages.append((tuple(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def many_due_meetings(alice, count=8, invitees=4, title="Race"):
    """count meetings due for a reminder, each with invitees: (count * (invitees + 1)) reminders."""
    for n in range(count):
        meeting = services.meeting_create(
            host=alice, title=f"{title} {n}", starts_at=timezone.now() + timedelta(minutes=6)
        )
        for i in range(invitees):
            meeting.invitations.create(email=f"guest{i}@example.org")
    return count * (invitees + 1)


def assert_each_reminder_arrived_once(inbox, expected):
    delivered = [(rcpt, message["Subject"].split(" at ")[0]) for rcpt, message in inbox.messages]
    assert len(delivered) == expected
    assert len(set(delivered)) == expected


@pytest.mark.django_db(transaction=True)
def test_two_send_reminders_commands_racing_deliver_each_reminder_once(alice, smtp_server):
    controller, inbox = smtp_server
    expected = many_due_meetings(alice)
    environment = server_environment(
        {
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(controller.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        }
    )
    command = [sys.executable, "manage.py", "send_reminders"]

    senders = [
        subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [sender.communicate(timeout=120) for sender in senders]

    assert [sender.returncode for sender in senders] == [0, 0], outputs
    sent = [int(out.split()[1]) for out, _ in outputs]
    assert sum(sent) == expected
    assert_each_reminder_arrived_once(inbox, expected)
    assert ReminderSent.objects.count() == expected


@pytest.mark.django_db(transaction=True)
def test_two_senders_released_at_the_same_instant_deliver_each_reminder_once(alice, smtp_server):
    controller, inbox = smtp_server
    expected = many_due_meetings(alice)
    start = threading.Barrier(2)
    results = []

    def sender():
        try:
            start.wait(timeout=30)
            results.append(reminders.send_due_reminders())
        finally:
            connection.close()

    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": controller.port,
        "EMAIL_USE_TLS": False,
    }
    with override_settings(**smtp):
        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert sum(results) == expected and len(results) == 2
    assert_each_reminder_arrived_once(inbox, expected)


def test_a_failed_mail_is_tried_again_by_the_next_pass(soon, smtp_server):
    controller, inbox = smtp_server
    dead_port = free_port()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=dead_port,
        EMAIL_USE_TLS=False,
    ):
        assert reminders.send_due_reminders() == 0
    assert not ReminderSent.objects.exists()

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=controller.port,
        EMAIL_USE_TLS=False,
    ):
        assert reminders.send_due_reminders() == 3
    assert len(inbox.messages) == 3


def wait_for_messages(inbox, count, timeout=60):
    deadline = time.monotonic() + timeout
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(inbox.messages) >= count, f"{len(inbox.messages)} of {count} reminders arrived"


@pytest.mark.django_db(transaction=True)
def test_the_server_sends_reminders_by_itself_and_a_cron_run_beside_it_sends_no_duplicate(
    alice, smtp_server, tmp_path
):
    controller, inbox = smtp_server
    smtp = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }
    server = DaphneServer(tmp_path, extra_env={**smtp, "REMINDERS_INTERVAL": "1"})
    server.start()
    try:
        # Nobody runs a command: the server's own periodic task sends these.
        by_server = many_due_meetings(alice, count=2, invitees=2, title="Server")
        wait_for_messages(inbox, by_server)
        # Then cron runs beside the server's task, on new reminders: neither sends one twice.
        raced = many_due_meetings(alice, count=4, invitees=3, title="Cron")
        cron = subprocess.run(
            [sys.executable, "manage.py", "send_reminders"],
            cwd=ROOT,
            env=server_environment(smtp),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert cron.returncode == 0, cron.stderr
        wait_for_messages(inbox, by_server + raced)
        # Let the server's task make a few more passes (each second): none may send anything again.
        passes_done = time.monotonic() + 3
        while time.monotonic() < passes_done:
            time.sleep(0.1)
    finally:
        server.stop()

    assert_each_reminder_arrived_once(inbox, by_server + raced)


def test_host_chooses_the_reminder_and_the_opening_in_the_schedule_form(alice_client):
    from meetings.models import Meeting

    from .helpers import schedule_data

    alice_client.post(
        reverse("meetings:schedule"), schedule_data(reminder_minutes="30", open_minutes_before="15")
    )
    alice_client.post(reverse("meetings:schedule"), schedule_data(title="Quiet", reminder_minutes="0"))
    refused = alice_client.post(
        reverse("meetings:schedule"), schedule_data(title="Odd", reminder_minutes="7")
    )

    assert dict(Meeting.objects.values_list("title", "reminder_minutes")) == {"Team sync": 30, "Quiet": 0}
    assert Meeting.objects.get(title="Team sync").open_minutes_before == 15
    assert refused.status_code == 200 and "reminder_minutes" in refused.context["form"].errors
