"""The calendar subscription panel that the profile page shows (accounts stays unaware of meetings)."""

from django import template
from django.urls import reverse

from meetings import services

register = template.Library()


@register.inclusion_tag("meetings/_calendar_feed.html", takes_context=True)
def calendar_feed_panel(context):
    request = context["request"]
    feed = services.calendar_feed_get_or_create(user=request.user)
    https_url = request.build_absolute_uri(reverse("meetings:calendar_feed", args=[feed.token]))
    return {
        "https_url": https_url,
        "webcal_url": "webcal://" + https_url.split("://", 1)[1],
        "csrf_token": context.get("csrf_token"),
    }
