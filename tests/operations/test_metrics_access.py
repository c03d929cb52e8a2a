"""Who may read /metrics: nobody by default, a bearer token, or an address on the allow-list."""

import ipaddress

import pytest

pytestmark = pytest.mark.django_db


def test_metrics_answer_nobody_until_configured(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []

    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 403
    assert b"METRICS_TOKEN" in response.content


def test_metrics_answer_an_address_on_the_allow_list_without_a_token(client, settings):
    settings.METRICS_TOKEN = "secret"
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.1.0.0/16")]

    inside = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    outside = client.get("/metrics", REMOTE_ADDR="10.2.0.1")

    assert inside.status_code == 200
    assert b"huddle_people_in_calls 0.0" in inside.content
    assert outside.status_code == 401


def test_a_forged_forwarded_for_header_does_not_reach_the_allow_list(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.1.0.0/16")]
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0

    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.1.2.3")

    assert response.status_code == 403
    assert b"huddle_" not in response.content
