from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers the checks, connects the receivers)
