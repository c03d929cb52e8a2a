from urllib.parse import parse_qs, urlsplit

from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import PASSWORD


def log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_admin_login_page_sends_visitors_to_the_site_login(client, db):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query)["next"] == ["/admin/"]


def test_admin_sends_anonymous_visitors_to_the_site_login(client, db):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert response.status_code == 200


def test_staff_reach_the_admin_after_logging_in(client, staff):
    response = client.post(
        f"{reverse('account_login')}?next=/admin/", {"login": staff.email, "password": PASSWORD}
    )
    assert response["Location"] == "/admin/"

    assert client.get("/admin/").status_code == 200


def test_non_staff_members_cannot_reach_the_admin(client, bob):
    log_in(client, bob.email, PASSWORD)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403


def test_a_superuser_made_on_the_command_line_can_log_in_at_once(client, db, monkeypatch, mailoutbox):
    """The operator sets the site up before email works: their own address counts as confirmed."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, email="Root@Example.org", verbosity=0)

    log_in(client, "root@example.org", PASSWORD)

    assert SESSION_KEY in client.session
    assert client.get("/admin/").status_code == 200
    assert mailoutbox == []


def test_the_login_rate_limit_also_guards_admin_accounts(client, staff):
    for _ in range(5):
        log_in(client, staff.email, "not-the-password")

    response = log_in(client, staff.email, PASSWORD)

    assert "Too many failed login attempts" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_form_cannot_bypass_the_rate_limit(client, staff):
    """Posting straight to Django's admin login form must not give a second, unlimited way in."""
    for _ in range(5):
        log_in(client, staff.email, "not-the-password")

    client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})

    assert SESSION_KEY not in client.session
