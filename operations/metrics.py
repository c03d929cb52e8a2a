"""The site's own figures for Prometheus, read from the database when it scrapes.

Counters the signaling consumer keeps in memory live in meetings.metrics; django-prometheus adds the
request and response metrics. All of them go into prometheus_client's default registry.
"""

from prometheus_client.core import GaugeMetricFamily

from .usage import live_figures


class SiteCollector:
    """Site-wide gauges (the same from every process): they come from rows, not from memory."""

    instance = None

    def describe(self):
        # Without this prometheus_client would call collect() at registration: a database query
        # while the apps are still loading.
        return [
            GaugeMetricFamily("huddle_meetings_live", "Meetings with someone in the call."),
            GaugeMetricFamily("huddle_people_in_calls", "People in a call now, across all meetings."),
            GaugeMetricFamily("huddle_people_waiting", "People in a waiting room now."),
        ]

    def collect(self):
        figures = live_figures()
        yield GaugeMetricFamily(
            "huddle_meetings_live", "Meetings with someone in the call.", value=figures.meetings_live
        )
        yield GaugeMetricFamily(
            "huddle_people_in_calls",
            "People in a call now, across all meetings.",
            value=figures.people_in_calls,
        )
        yield GaugeMetricFamily(
            "huddle_people_waiting", "People in a waiting room now.", value=figures.people_waiting
        )
