from django.core.management.base import BaseCommand

from meetings.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Send the meeting reminders that are due (run it every minute from cron or a systemd timer). "
        "Safe alongside the server's own periodic task: each reminder goes out once."
    )

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"Sent {sent} reminder{'' if sent == 1 else 's'}.")
