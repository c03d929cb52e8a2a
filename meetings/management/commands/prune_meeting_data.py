from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from meetings.models import ChatMessage, MeetingEvent


class Command(BaseCommand):
    help = "Delete chat messages and audit events older than RETENTION_DAYS (run it daily, e.g. from cron)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Override RETENTION_DAYS for this run.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("Keep at least one day of data (--days 1 or more).")
        cutoff = timezone.now() - timedelta(days=days)
        chat = ChatMessage.objects.filter(sent_at__lt=cutoff)
        events = MeetingEvent.objects.filter(created_at__lt=cutoff)
        if dry_run:
            self.stdout.write(
                f"Would delete {chat.count()} chat messages and {events.count()} events "
                f"older than {days} days."
            )
            return
        chat_deleted, _ = chat.delete()
        events_deleted, _ = events.delete()
        self.stdout.write(
            f"Deleted {chat_deleted} chat messages and {events_deleted} events older than {days} days."
        )
