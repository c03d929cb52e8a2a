from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.conftest import PASSWORD

TOO_MANY = "Too many failed login attempts"


def log_in(client, email, password, **headers):
    return client.post(reverse("account_login"), {"login": email, "password": password}, headers=headers)


def test_login_with_the_right_password_signs_the_user_in(client, alice):
    response = log_in(client, "alice@example.org", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(alice.pk)


def test_login_email_is_not_case_sensitive(client, alice):
    log_in(client, "Alice@Example.ORG", PASSWORD)

    assert client.session[SESSION_KEY] == str(alice.pk)


def test_wrong_password_shows_an_error_and_does_not_log_in(client, alice):
    response = log_in(client, "alice@example.org", "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert b"not correct" in response.content
    assert SESSION_KEY not in client.session


def test_login_is_refused_after_repeated_wrong_passwords(client, alice):
    for _ in range(5):
        assert TOO_MANY not in log_in(client, "alice@example.org", "not-the-password").content.decode()

    response = log_in(client, "alice@example.org", PASSWORD)

    assert TOO_MANY in response.content.decode()
    assert SESSION_KEY not in client.session


def test_failed_logins_against_one_account_do_not_lock_out_another(client, alice, bob):
    for _ in range(5):
        log_in(client, "alice@example.org", "not-the-password")

    log_in(client, "bob@example.org", PASSWORD)

    assert client.session[SESSION_KEY] == str(bob.pk)


def test_a_successful_login_does_not_reset_the_failure_count(client, alice):
    """Otherwise an attacker who knows one password could interleave logins to keep guessing another."""
    for _ in range(4):
        log_in(client, "alice@example.org", "not-the-password")
    log_in(client, "alice@example.org", PASSWORD)
    client.post(reverse("account_logout"))
    log_in(client, "alice@example.org", "not-the-password")

    response = log_in(client, "alice@example.org", PASSWORD)

    assert TOO_MANY in response.content.decode()
    assert SESSION_KEY not in client.session


def test_failed_logins_from_one_ip_are_limited_across_accounts(client, bob):
    for n in range(10):
        log_in(client, f"stranger{n}@example.org", "guess")

    response = log_in(client, "bob@example.org", PASSWORD)

    assert TOO_MANY in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_forged_x_forwarded_for_header_does_not_escape_the_per_ip_limit(client, bob):
    for n in range(10):
        log_in(client, f"stranger{n}@example.org", "guess", x_forwarded_for=f"203.0.113.{n}")

    response = log_in(client, "bob@example.org", PASSWORD, x_forwarded_for="198.51.100.7")

    assert TOO_MANY in response.content.decode()
    assert SESSION_KEY not in client.session


def test_logout_ends_the_session(client, alice):
    log_in(client, "alice@example.org", PASSWORD)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_logout_by_get_does_not_log_out(client, alice):
    """A link or an <img> on another site must not be able to sign someone out."""
    log_in(client, "alice@example.org", PASSWORD)

    client.get(reverse("account_logout"))

    assert client.session[SESSION_KEY] == str(alice.pk)
