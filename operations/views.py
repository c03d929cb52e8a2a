from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from .access import metrics_access
from .health import readiness_report
from .usage import bar_chart, daily_figures, live_figures


def healthz(request):
    """Liveness: the process answers. Nothing else is asked, so a slow database never restarts it."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Readiness: every component the site needs answers; 503 (and which one) when one does not."""
    ready, checks = readiness_report()
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503
    )


@never_cache
def metrics(request):
    """Prometheus text exposition: django-prometheus's request metrics, our counters and gauges."""
    access = metrics_access(request)
    if access == "off":
        return HttpResponse(
            "Metrics are off: set METRICS_TOKEN or METRICS_ALLOWED_IPS.\n",
            status=403,
            content_type="text/plain",
        )
    if access == "forbidden":
        return HttpResponse("This address may not read the metrics.\n", status=403, content_type="text/plain")
    if access == "unauthorized":
        response = HttpResponse("A valid bearer token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


@staff_member_required
def usage(request):
    """The staff's page: what is happening now and the last seven days, as charts drawn on the server."""
    days = daily_figures(days=7)
    labels = [day.day.strftime("%a") for day in days]
    charts = [
        ("Meetings held", bar_chart([day.meetings_held for day in days], labels)),
        ("Minutes in calls", bar_chart([day.minutes for day in days], labels)),
        ("Most people at once", bar_chart([day.peak_people for day in days], labels)),
    ]
    return render(request, "operations/usage.html", {"live": live_figures(), "days": days, "charts": charts})
