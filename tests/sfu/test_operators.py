"""What an operator learns about Janus: /readyz per server, and `manage.py check --deploy`."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from meetings.checks import check_janus_reachable

pytestmark = pytest.mark.django_db


def test_readyz_reports_each_janus_then_a_dead_one_with_503(client, two_janus):
    up = client.get("/readyz")
    assert up.status_code == 200
    detail = up.json()["checks"]["janus"]["detail"]
    assert "a: Janus 1.1.2" in detail and "b: Janus 1.1.2" in detail

    two_janus[1].kill()
    down = client.get("/readyz")

    assert down.status_code == 503
    assert down.json()["checks"]["janus"]["ok"] is False
    assert f"127.0.0.1:{two_janus[1].http_port}" in down.json()["checks"]["janus"]["detail"]


def test_readyz_leaves_janus_out_when_none_is_configured(client, settings):
    settings.JANUS_SERVERS = []

    assert "janus" not in client.get("/readyz").json()["checks"]


def test_check_deploy_reports_a_janus_it_cannot_reach_or_whose_secret_is_wrong(two_janus, settings):
    assert check_janus_reachable() == []

    two_janus[0].kill()
    settings.JANUS_SERVERS = [
        settings.JANUS_SERVERS[0],
        {**settings.JANUS_SERVERS[1], "admin_secret": "wrong"},
    ]
    problems = check_janus_reachable()

    assert [problem.id for problem in problems] == ["meetings.E101", "meetings.E101"]
    assert "Janus a cannot be used" in problems[0].msg and "did not answer" in problems[0].msg
    assert "Janus b cannot be used" in problems[1].msg and "Unauthorized" in problems[1].msg
    with pytest.raises(SystemCheckError, match="meetings.E101"):
        call_command("check", "--deploy", "--fail-level", "ERROR")
