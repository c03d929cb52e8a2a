"""/metrics while people are in a call: the site's gauges and the consumer's counters, behind a token."""

import re

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from meetings.protocol import Close

from .test_relay import OFFER

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "scrape-token-for-tests"


@pytest.fixture(autouse=True)
def _metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []


def _scrape(token=TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get("/metrics", headers=headers)


scrape = sync_to_async(_scrape)


def sample(text, name, labels=""):
    """The value of one sample in a Prometheus text exposition."""
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{labels} is not in the exposition"
    return float(match.group(1))


async def test_metrics_show_three_people_in_a_running_call(join, meeting, host):
    before = (await scrape()).content.decode()
    await join(meeting, "Gus")
    await join(meeting, "Tess")

    response = await scrape()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert sample(text, "huddle_people_in_calls") == 3
    assert sample(text, "huddle_meetings_live") == 1
    assert sample(text, "huddle_websockets_open") - sample(before, "huddle_websockets_open") == 2
    assert "django_http_requests_total_by_method_total" in text  # django-prometheus's own


async def test_metrics_count_relayed_signals_and_refusals_by_close_code(join, connect, meeting, host):
    guest = await join(meeting, "Gus")
    before = (await scrape()).content.decode()

    await guest.send({"type": "signal", "to": host.peer_id, "description": OFFER})
    assert (await host.receive_type("signal"))["from"] == guest.peer_id
    stranger = await connect(meeting, ticket="not-a-ticket", expect="refused")
    code = await stranger.refusal_code()

    after = (await scrape()).content.decode()
    assert sample(after, "huddle_signals_relayed_total") - sample(before, "huddle_signals_relayed_total") == 1
    refusals = f'{{code="{code}"}}'
    assert code == Close.BAD_TICKET
    assert (
        sample(after, "huddle_websocket_refusals_total", refusals)
        - _or_zero(before, "huddle_websocket_refusals_total", refusals)
        == 1
    )


def _or_zero(text, name, labels):
    try:
        return sample(text, name, labels)
    except AssertionError:
        return 0


async def test_metrics_refuse_a_request_without_the_token(join, meeting, host):
    response = await scrape(token=None)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"huddle_people_in_calls" not in response.content


async def test_metrics_refuse_a_wrong_token(host):
    response = await scrape(token="guessed")

    assert response.status_code == 401
    assert b"huddle_" not in response.content
