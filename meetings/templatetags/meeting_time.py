"""Times as a person reads them: in the zone active for the page or mail, with that zone named."""

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

from meetings.models import occurrence_key as _occurrence_key

register = template.Library()


@register.filter
def local_when(value, fmt="D j M Y, H:i"):
    """'Thu 15 Jan 2027, 10:00 (Europe/Berlin)': the zone is named so nobody has to guess it."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{date_format(local, fmt)} ({timezone.get_current_timezone_name()})"


@register.filter
def local_time(value, fmt="D j M Y, H:i"):
    """The same without the zone, for lists whose heading names it once."""
    return date_format(timezone.localtime(value), fmt) if value else ""


@register.filter
def occurrence_key(value):
    """An occurrence's RECURRENCE-ID as its URL key."""
    return _occurrence_key(value)
